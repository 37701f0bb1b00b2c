package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.concurrent.atomic.AtomicReference;

/**
 * fabric8's one-time scan of its model classes, run once the first request has its answer instead of in front of a
 * later request. The client's serializer loads every model class named in {@code META-INF/services} (about 600) and
 * reads their {@code @Group/@Version/@Kind} the first time it maps a kind to a class: in
 * {@code genericKubernetesResources} (fabric8 8.0.0, io/fabric8/kubernetes/client/impl/Handlers.java,
 * {@code getResourceDefinitionContext}) and when it reads a typed object. Most plans need it (the Istio install's
 * comparison lists generic resources); started on its own thread when the API server has answered (not before, where
 * it would compete with the first request on a small machine), it overlaps the plan's parallel reads. Whoever needs
 * the mapping meanwhile waits for it (the serializer's getter is synchronized). {@link #awaitEnd} lets a run end only
 * after it, so a run that stops early (the launcher's training run, whose class cache should hold those classes)
 * always loads the same classes.
 */
final class ModelClassScan implements Runnable {
    private static final long WAIT_AT_END_MILLIS = 10_000;
    private final AtomicReference<KubernetesClient> client = new AtomicReference<>();
    private final AtomicReference<Thread> thread = new AtomicReference<>();

    /** The client whose serializer to scan, once it is built. */
    void of(KubernetesClient built) {
        client.set(built);
    }

    /** Starts the scan (once; nothing before {@link #of}): the first request's answer or failure calls this. */
    @Override
    public void run() {
        KubernetesClient c = client.get();
        if (c == null) {
            return;
        }
        Thread t = new Thread(() -> c.getKubernetesSerialization().getRegisteredKubernetesResource("v1", "Namespace"),
                "meshform-model-classes");
        t.setDaemon(true);
        if (thread.compareAndSet(null, t)) {
            t.start();
        }
    }

    /** Waits (bounded) for a started scan; an interrupt is kept for the caller. */
    void awaitEnd() {
        Thread t = thread.get();
        if (t == null) {
            return;
        }
        try {
            t.join(WAIT_AT_END_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

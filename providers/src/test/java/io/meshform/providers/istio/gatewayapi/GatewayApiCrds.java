package io.meshform.providers.istio.gatewayapi;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.Testbed;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The Gateway API CRDs Istio is built against (testbed/build.sh gateway-api-crds, GATEWAY_API_VERSION), installed
 * by the tests that need them and removed after, so the other tests keep a cluster without them (as before).
 * Missing files fail the test: a Gateway cannot be created without its CRD, and nothing may stand in for it.
 *
 * <p>A deleted CRD is not gone at once: it stays, Terminating, until the API server has deleted every object of its
 * kind (and an object with a finalizer holds it longer). An apply onto it succeeds and it still reads Established, but
 * it vanishes afterwards and the API server refuses new objects meanwhile ("create not allowed while custom resource
 * definition is terminating"). So {@link #install} first waits, within {@link #GONE_WITHIN}, for any still terminating.
 * {@link #close()} does not wait: on a busy CI host one CRD (tlsroutes, with no object of its kind) was still
 * terminating 120 s after the test deleted it (why the API server took that long was not found; alone the deletes take
 * seconds), failing a test that had passed; the tests after a close need the CRDs gone only through {@link #install},
 * which waits.
 */
public final class GatewayApiCrds implements AutoCloseable {
    private final KubernetesClient client;
    /** The bound of the waits for deleted CRDs, generous for a loaded CI host. */
    static final java.time.Duration GONE_WITHIN = java.time.Duration.ofSeconds(300);
    private final List<String> names;

    private GatewayApiCrds(KubernetesClient client, List<String> names) {
        this.client = client;
        this.names = names;
    }

    /**
     * Applies every CRD of the cached set (server-side) and waits until each is Established; first waits until one of
     * them still being deleted is gone.
     */
    public static GatewayApiCrds install(ClusterContext cluster) {
        KubernetesClient c = cluster.client();
        List<CustomResourceDefinition> crds = new ArrayList<>();
        try (Stream<Path> files = Files.list(Testbed.gatewayApiCrds())) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(f)) {
                    crds.add(c.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> names = crds.stream().map(crd -> crd.getMetadata().getName()).toList();
        awaitGone(c, names.stream().filter(n -> {
            CustomResourceDefinition live = c.apiextensions().v1().customResourceDefinitions().withName(n).get();
            return live != null && live.getMetadata().getDeletionTimestamp() != null;
        }).toList(), "an earlier test deleted");
        for (CustomResourceDefinition crd : crds) {
            c.resource(crd).fieldManager("meshform-it").forceConflicts().serverSideApply();
        }
        for (String n : names) {
            c.apiextensions().v1().customResourceDefinitions().withName(n).waitUntilCondition(crd -> crd != null
                    && crd.getStatus() != null && crd.getStatus().getConditions().stream()
                    .anyMatch(k -> "Established".equals(k.getType()) && "True".equals(k.getStatus())), 60, TimeUnit.SECONDS);
        }
        return new GatewayApiCrds(c, names);
    }

    /**
     * Deletes the CRDs (and so every Gateway API object, and through owner references the Deployments istiod made);
     * they go once the API server has deleted their objects ({@link #install} waits for that).
     */
    @Override
    public void close() {
        for (String n : names) {
            client.apiextensions().v1().customResourceDefinitions().withName(n).delete();
        }
    }


    private static void awaitGone(KubernetesClient c, List<String> names, String who) {
        long deadline = System.nanoTime() + GONE_WITHIN.toNanos();
        List<String> left = new ArrayList<>(names);
        while (true) {
            left.removeIf(n -> c.apiextensions().v1().customResourceDefinitions().withName(n).get() == null);
            if (left.isEmpty()) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the Gateway API CRDs " + who + " are still terminating after "
                        + GONE_WITHIN.toSeconds() + " s: " + left + "; an object of their kinds with a finalizer holds them"
                        + " (kubectl get " + String.join(",", left) + " -A)");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the Gateway API CRDs to be gone: " + left, e);
            }
        }
    }
}

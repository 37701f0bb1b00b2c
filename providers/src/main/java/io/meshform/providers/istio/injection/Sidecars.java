package io.meshform.providers.istio.injection;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What a pod says about its Istio sidecar, and which workload owns it, read from the pod alone. */
public final class Sidecars {
    public static final String PROXY_CONTAINER = "istio-proxy";

    private Sidecars() {
    }

    /**
     * A sidecar is a container named istio-proxy or, with native sidecars (Istio 1.27+ on Kubernetes 1.33+), an
     * init container of that name with restartPolicy Always: a plain init container of that name ends before the
     * app starts, so it proxies nothing.
     */
    public static boolean hasSidecar(Pod pod) {
        if (pod.getSpec() == null) {
            return false;
        }
        if (named(pod.getSpec().getContainers()).isPresent()) {
            return true;
        }
        return named(pod.getSpec().getInitContainers()).map(c -> "Always".equals(c.getRestartPolicy())).orElse(false);
    }

    /** The revision whose injector gave the pod its sidecar: the injector's {@code istio.io/rev} label, else "default". */
    public static String revisionOf(Pod pod) {
        String rev = value(pod.getMetadata().getLabels(), Injection.REVISION_LABEL);
        return rev == null ? "default" : rev;
    }

    /** The sidecar's image (container or native-sidecar init container), when the pod has one. */
    public static Optional<String> proxyImage(Pod pod) {
        if (!hasSidecar(pod)) {
            return Optional.empty();
        }
        return named(pod.getSpec().getContainers()).or(() -> named(pod.getSpec().getInitContainers())).map(Container::getImage);
    }

    private static Optional<Container> named(List<Container> containers) {
        return containers == null ? Optional.empty()
                : containers.stream().filter(c -> PROXY_CONTAINER.equals(c.getName())).findFirst();
    }

    /**
     * The pod asks not to be injected: {@code sidecar.istio.io/inject: "false"} as a label, or as the older annotation
     * when no such label is set (the label wins over the annotation: {@code injectRequired}, pkg/kube/inject/inject.go).
     */
    public static boolean optedOut(Pod pod) {
        String label = value(pod.getMetadata().getLabels(), "sidecar.istio.io/inject");
        return "false".equals(label != null ? label : value(pod.getMetadata().getAnnotations(), "sidecar.istio.io/inject"));
    }

    /**
     * The namespaces Istio's injector never injects ({@code IgnoredNamespaces}, pkg/kube/inject/initializer.go), and
     * the analyzer's live view skips (pkg/config/analysis/local/istiod_analyze.go).
     */
    public static final java.util.Set<String> NEVER_INJECTED_NAMESPACES = java.util.Set.of("kube-system", "kube-public",
            "kube-node-lease", "local-path-storage");

    /**
     * A pod Istio's injector never gives a sidecar whatever its namespace says: it opts out, or runs with
     * {@code hostNetwork} ({@code injectRequired}, pkg/kube/inject/inject.go: "hostNetwork: true → never inject"), or
     * lives in a namespace the injector ignores.
     */
    public static boolean neverInjected(Pod pod) {
        return optedOut(pod) || (pod.getSpec() != null && Boolean.TRUE.equals(pod.getSpec().getHostNetwork()))
                || NEVER_INJECTED_NAMESPACES.contains(pod.getMetadata().getNamespace());
    }

    /** Finished pods (Succeeded, Failed) never restart, so they neither need nor reserve a sidecar. */
    public static boolean finished(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase) || pod.getMetadata().getDeletionTimestamp() != null;
    }

    /**
     * The Deployment, StatefulSet or DaemonSet that owns the pod, from its owner reference alone. A Deployment's
     * ReplicaSet is named {@code <deployment>-<pod-template-hash>}, so no ReplicaSet needs to be read.
     */
    public static Optional<Workload> workloadOf(Pod pod) {
        List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
        if (owners == null) {
            return Optional.empty();
        }
        String ns = pod.getMetadata().getNamespace();
        for (OwnerReference o : owners) {
            if (!Boolean.TRUE.equals(o.getController())) {
                continue;
            }
            switch (o.getKind()) {
                case Workload.STATEFUL_SET, Workload.DAEMON_SET -> {
                    return Optional.of(new Workload(o.getKind(), ns, o.getName()));
                }
                case "ReplicaSet" -> {
                    String hash = value(pod.getMetadata().getLabels(), "pod-template-hash");
                    if (hash != null && o.getName().endsWith("-" + hash)) {
                        String deployment = o.getName().substring(0, o.getName().length() - hash.length() - 1);
                        return Optional.of(new Workload(Workload.DEPLOYMENT, ns, deployment));
                    }
                }
                default -> {
                }
            }
        }
        return Optional.empty();
    }

    private static String value(Map<String, String> map, String key) {
        return map == null ? null : map.get(key);
    }
}

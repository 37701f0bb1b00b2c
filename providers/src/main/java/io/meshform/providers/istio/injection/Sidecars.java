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

    /** The pod asks not to be injected (label, or the older annotation): enabling injection never gives it a sidecar. */
    public static boolean optedOut(Pod pod) {
        return "false".equals(value(pod.getMetadata().getLabels(), "sidecar.istio.io/inject"))
                || "false".equals(value(pod.getMetadata().getAnnotations(), "sidecar.istio.io/inject"));
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

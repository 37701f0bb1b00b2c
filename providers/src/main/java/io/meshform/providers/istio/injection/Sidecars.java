package io.meshform.providers.istio.injection;

import io.meshform.providers.istio.injection.LivePod.Container;
import java.util.List;
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
    public static boolean hasSidecar(LivePod pod) {
        if (named(pod.containers()).isPresent()) {
            return true;
        }
        return named(pod.initContainers()).map(c -> "Always".equals(c.restartPolicy())).orElse(false);
    }

    /** The annotation the injector writes on every pod it injects, naming (among others) its revision. */
    public static final String STATUS_ANNOTATION = "sidecar.istio.io/status";

    /**
     * The revision whose istiod configures the pod's proxy (and whose injector gave it its sidecar), as istioctl reads
     * it ({@code GetRevisionFromPodAnnotation}, istioctl/pkg/describe/describe.go, Istio 1.30.3, which {@code istioctl
     * describe} reads the pod's mesh config {@code istio[-REV]} by and {@code istioctl x injector list} counts pods by):
     * the pod's {@code istio.io/rev} annotation, else the {@code revision} the injector recorded in
     * {@code sidecar.istio.io/status}, else "default". Every proxy pod Istio makes carries that annotation with its
     * istiod's revision: the injection templates write {@code istio.io/rev: {{ .Revision }}} (the injecting istiod's
     * own revision, pkg/kube/inject/inject.go) beside {@code discoveryAddress: istiod-REV} in the proxy config
     * (manifests/charts/istio-control/istio-discovery/files/injection-template.yaml, gateway-injection-template.yaml,
     * kube-gateway.yaml), and istioctl's gateway chart writes it beside the mounted {@code istio-REV} mesh config
     * (manifests/charts/gateways/istio-ingress/templates/deployment.yaml). The {@code istio.io/rev} label is not read:
     * on an injected pod it is what the pod asked the webhooks for, which may be a revision tag (the tag's webhook
     * sends it to the revision's injector, which records the revision, not the tag), and the injector never sets it
     * ("rather than setting istio.io/rev label on injected pods include them here in status annotation",
     * pkg/kube/inject/inject.go). Istio's other reader, {@code revisionOfPod} (pkg/kube/client.go, for
     * {@code istioctl proxy-status --revision}), takes the label first and so names the tag for such a pod.
     */
    public static String revisionOf(LivePod pod) {
        String rev = pod.annotations().get(Injection.REVISION_LABEL);
        if (rev != null) {
            // describe reads a present annotation as it is; an empty one selects the ConfigMap "istio", the default's
            return rev.isEmpty() ? "default" : rev;
        }
        String status = pod.annotations().get(STATUS_ANNOTATION);
        if (status != null) {
            try {
                String recorded = io.meshform.providers.kubernetes.Json.text(
                        io.meshform.providers.kubernetes.Json.MAPPER.readTree(status), "revision");
                if (recorded != null && !recorded.isEmpty()) {
                    return recorded;
                }
            } catch (tools.jackson.core.JacksonException unparseable) {
                // istioctl gives up on an annotation it cannot parse ("" : the default revision's mesh config)
            }
        }
        return "default";
    }

    /** The sidecar's image (container or native-sidecar init container), when the pod has one. */
    public static Optional<String> proxyImage(LivePod pod) {
        if (!hasSidecar(pod)) {
            return Optional.empty();
        }
        return named(pod.containers()).or(() -> named(pod.initContainers())).map(Container::image);
    }

    private static Optional<Container> named(List<Container> containers) {
        return containers.stream().filter(c -> PROXY_CONTAINER.equals(c.name())).findFirst();
    }

    /**
     * The pod asks not to be injected: {@code sidecar.istio.io/inject: "false"} as a label, or as the older annotation
     * when no such label is set (the label wins over the annotation: {@code injectRequired}, pkg/kube/inject/inject.go).
     */
    public static boolean optedOut(LivePod pod) {
        String label = pod.labels().get("sidecar.istio.io/inject");
        return "false".equals(label != null ? label : pod.annotations().get("sidecar.istio.io/inject"));
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
    public static boolean neverInjected(LivePod pod) {
        return optedOut(pod) || pod.hostNetwork() || NEVER_INJECTED_NAMESPACES.contains(pod.namespace());
    }

    /**
     * Whether Istio's injector gives the pod a sidecar when it is created (again) in a namespace labelled
     * {@code namespaceLabels}, by the selectors of the injector's webhooks
     * (manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml, Istio 1.30.3) and
     * {@code injectRequired} (pkg/kube/inject/inject.go): where the namespace turns injection on ({@link Injection}),
     * every pod that does not opt out; where it has neither {@code istio-injection} nor {@code istio.io/rev} (not even
     * with another value), the pods that ask for it themselves, with an {@code istio.io/rev} label (webhook
     * "rev.object") or the label {@code sidecar.istio.io/inject: "true"} (webhook "object"; the annotation is not
     * among its selectors, and the webhook wants no {@code istio.io/rev} label at all, so an empty one beside it
     * injects nothing). The injector does not add these labels, so on a running pod they come from its template.
     */
    public static boolean injectedOnCreate(java.util.Map<String, String> namespaceLabels, LivePod pod) {
        return injectedOnCreate(namespaceLabels, Injectors.UNKNOWN, pod);
    }

    /**
     * As {@link #injectedOnCreate(java.util.Map, LivePod)}, where only a revision or tag that {@code injectors} knows
     * has webhooks: an {@code istio.io/rev} (the namespace's or the pod's) naming another matches no webhook, and a
     * pod's {@code sidecar.istio.io/inject: "true"} needs the default revision or tag (webhook "object"). The istiod a
     * webhook calls then applies its injector policy ({@link #required}).
     */
    public static boolean injectedOnCreate(java.util.Map<String, String> namespaceLabels, Injectors injectors, LivePod pod) {
        java.util.Map<String, String> ns = namespaceLabels == null ? java.util.Map.of() : namespaceLabels;
        if (neverInjected(pod)) {
            return false;
        }
        if (Injection.of(ns).enabled()) {
            Injection effective = injectors.effective(ns);
            return effective.enabled() && required(injectors.injectorPolicy(effective.revision()), pod);
        }
        if (ns.containsKey(Injection.INJECTION_LABEL) || ns.containsKey(Injection.REVISION_LABEL)) {
            return false;
        }
        java.util.Optional<String> auto = injectors.autoInjects(ns);
        if (auto.isPresent() && !pod.labels().containsKey("sidecar.istio.io/inject")
                && !pod.labels().containsKey(Injection.REVISION_LABEL)) {
            // webhook "auto" (enableNamespacesByDefault): an unlabelled pod in an unlabelled namespace
            return required(injectors.injectorPolicy(auto.get()), pod);
        }
        String rev = pod.labels().get(Injection.REVISION_LABEL);
        if (rev != null) {
            // Present, even empty: webhook "object" wants istio.io/rev to not exist, and "rev.object" wants it to name
            // a revision, so an empty value matches neither and sidecar.istio.io/inject: "true" beside it injects nothing.
            return !rev.isEmpty() && injectors.resolve(rev).map(r -> required(injectors.injectorPolicy(r), pod)).orElse(false);
        }
        return "true".equals(pod.labels().get("sidecar.istio.io/inject"))
                && injectors.resolve("default").map(r -> required(injectors.injectorPolicy(r), pod)).orElse(false);
    }

    /** Whether istiod's injector, with this policy and these selectors, injects a pod a webhook sent it. */
    static boolean required(InjectorPolicy policy, LivePod pod) {
        return policy.required(pod.labels(), pod.annotations());
    }

    /** Finished pods (Succeeded, Failed) never restart, so they neither need nor reserve a sidecar. */
    public static boolean finished(LivePod pod) {
        return "Succeeded".equals(pod.phase()) || "Failed".equals(pod.phase()) || pod.deleting();
    }

    /**
     * The Deployment, StatefulSet or DaemonSet that owns the pod, from its owner reference alone. A Deployment's
     * ReplicaSet is named {@code <deployment>-<pod-template-hash>}, so no ReplicaSet needs to be read.
     */
    public static Optional<Workload> workloadOf(LivePod pod) {
        String ns = pod.namespace();
        for (LivePod.Owner o : pod.owners()) {
            if (!o.controller()) {
                continue;
            }
            switch (o.kind()) {
                case Workload.STATEFUL_SET, Workload.DAEMON_SET -> {
                    return Optional.of(new Workload(o.kind(), ns, o.name()));
                }
                case "ReplicaSet" -> {
                    String hash = pod.labels().get("pod-template-hash");
                    if (hash != null && o.name().endsWith("-" + hash)) {
                        String deployment = o.name().substring(0, o.name().length() - hash.length() - 1);
                        return Optional.of(new Workload(Workload.DEPLOYMENT, ns, deployment));
                    }
                }
                default -> {
                }
            }
        }
        return Optional.empty();
    }
}

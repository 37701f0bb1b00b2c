package io.meshform.providers.istio.checks;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.SortedCopies;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.istio.injection.LivePod;
import io.meshform.providers.istio.policy.PeerPolicy;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.providers.kubernetes.RawReads;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;

/**
 * {@link ClusterView} read through the Kubernetes client, each kind on first use and once per run. One instance
 * serves the checks of one run: {@link Runs#of} hands out the same view while the engine passes the same
 * {@link CheckContext} (it makes one per plan or drift), and a fresh one for the next run, so nothing read for one
 * plan is trusted by the next. Pods, Services, Namespaces, the mesh ConfigMap and istiod's Deployment are read as
 * JSON ({@link RawReads}): the checks use a few fields of each.
 */
final class LiveCluster implements ClusterView {
    private final KubeConnection kube;
    private List<LivePod> pods;
    private Map<String, Map<String, String>> namespaces;
    private List<PeerPolicy> peers;
    private Optional<String> meshConfig;
    private List<JsonNode> allServices;
    private List<io.meshform.providers.istio.policy.DestinationPolicy> rules;
    private List<tools.jackson.databind.JsonNode> authorizationPolicies;
    private Boolean controlPlane;
    private final Map<String, Lookup<JsonNode>> services = new HashMap<>();

    LiveCluster(KubeConnection kube) {
        this.kube = kube;
    }

    /** The view of the current run: a new one whenever the engine starts checks with another context. */
    static final class Runs {
        private final KubeConnection kube;
        private CheckContext current;
        private ClusterView view;

        Runs(KubeConnection kube) {
            this.kube = kube;
        }

        synchronized ClusterView of(CheckContext ctx) {
            if (ctx != current) {
                current = ctx;
                view = new LiveCluster(kube);
            }
            return view;
        }
    }

    private static <T> T orElse(Supplier<T> read, T fallback) {
        try {
            return read.get();
        } catch (KubernetesClientException | io.meshform.engine.diag.DiagnosticsException e) {
            // no cluster to ask (no kubeconfig: the resource types say so when they need one), no Istio CRDs yet, or
            // not allowed: the checks judge nothing they cannot see
            return fallback;
        }
    }

    @Override
    public synchronized List<LivePod> pods() {
        if (pods == null) {
            pods = orElse(() -> RawReads.list(kube.client(), "/api/v1/pods").stream().map(LivePod::of).toList(), List.of());
        }
        return pods;
    }

    @Override
    public synchronized Map<String, Map<String, String>> namespaces() {
        if (namespaces == null) {
            namespaces = orElse(() -> {
                // Sorted (Map.copyOf's order is randomised per JVM): checks that iterate it report in one order every run.
                Map<String, Map<String, String>> out = new java.util.TreeMap<>();
                for (JsonNode ns : RawReads.list(kube.client(), "/api/v1/namespaces")) {
                    out.put(Json.text(ns.path("metadata"), "name"), SortedCopies.of(Json.stringMap(ns.path("metadata").get("labels"))));
                }
                return out;
            }, Map.of());
        }
        return namespaces;
    }

    @Override
    public synchronized List<PeerPolicy> peerAuthentications() {
        if (peers == null) {
            peers = orElse(() -> listTimed(CheckSupport.PEER_AUTHENTICATION_CONTEXT, PeerPolicy::of), List.of());
        }
        return peers;
    }

    @Override
    public synchronized List<JsonNode> services() {
        if (allServices == null) {
            allServices = orElse(() -> RawReads.list(kube.client(), "/api/v1/services"), List.of());
        }
        return allServices;
    }

    @Override
    public synchronized List<io.meshform.providers.istio.policy.DestinationPolicy> destinationRules() {
        if (rules == null) {
            rules = orElse(() -> listTimed(CheckSupport.DESTINATION_RULE_CONTEXT,
                    io.meshform.providers.istio.policy.DestinationPolicy::of), List.of());
        }
        return rules;
    }

    @Override
    public synchronized List<tools.jackson.databind.JsonNode> authorizationPolicies() {
        if (authorizationPolicies == null) {
            authorizationPolicies = orElse(() -> {
                return listEverywhere(CheckSupport.AUTHORIZATION_POLICY_CONTEXT);
            }, List.of());
        }
        return authorizationPolicies;
    }

    /** How a policy record is made from an object's identity, age and spec (its origin is the live cluster: null). */
    private interface TimedPolicy<T> {
        T of(String namespace, String name, Instant created, tools.jackson.databind.JsonNode spec, String origin);
    }

    /** Every object of the kind in every namespace (one LIST), as policy records with their creation times. */
    private <T> List<T> listTimed(io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext kind, TimedPolicy<T> make) {
        List<T> out = new ArrayList<>();
        for (JsonNode r : listEverywhere(kind)) {
            JsonNode md = r.path("metadata");
            String ts = Json.text(md, "creationTimestamp");
            out.add(make.of(Json.text(md, "namespace"), Json.text(md, "name"), ts == null ? null : Instant.parse(ts),
                    r.path("spec"), null));
        }
        return out;
    }

    /** One LIST of the kind in every namespace, as JSON trees parsed once from the answer. */
    private List<JsonNode> listEverywhere(io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext kind) {
        return RawReads.items(kube.client(), kube.client().genericKubernetesResources(kind).inAnyNamespace(),
                kind.getGroup() + "/" + kind.getVersion(), kind.getKind(), null);
    }

    @Override
    public synchronized Optional<String> meshConfig() {
        if (meshConfig == null) {
            meshConfig = orElse(() -> {
                JsonNode cm = RawReads.get(kube.client(), "/api/v1/namespaces/" + Mesh.ISTIO_NAMESPACE + "/configmaps/"
                        + Mesh.MESH_CONFIG_MAP);
                return cm == null ? Optional.<String>empty() : Optional.ofNullable(Json.text(cm.path("data"), Mesh.MESH_CONFIG_KEY));
            }, Optional.empty());
        }
        return meshConfig;
    }

    @Override
    public synchronized Lookup<JsonNode> service(String namespace, String name) {
        return services.computeIfAbsent(namespace + "/" + name, k -> orElse(
                () -> new Lookup<>(true, RawReads.get(kube.client(), "/api/v1/namespaces/" + namespace + "/services/" + name)),
                Lookup.unknown()));
    }

    @Override
    public synchronized boolean controlPlane() {
        if (controlPlane == null) {
            controlPlane = orElse(() -> !RawReads.list(kube.client(), RawReads.withLabel("/apis/apps/v1/namespaces/" + Mesh.ISTIO_NAMESPACE
                    + "/deployments", "app", "istiod") + "&limit=1").isEmpty(), false);
        }
        return controlPlane;
    }
}

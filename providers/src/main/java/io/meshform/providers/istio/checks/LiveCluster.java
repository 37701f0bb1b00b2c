package io.meshform.providers.istio.checks;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.SortedCopies;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.istio.policy.PeerPolicy;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.KubeConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@link ClusterView} read through the Kubernetes client, each kind on first use and once per run. One instance
 * serves the checks of one run: {@link Runs#of} hands out the same view while the engine passes the same
 * {@link CheckContext} (it makes one per plan or drift), and a fresh one for the next run, so nothing read for one
 * plan is trusted by the next.
 */
final class LiveCluster implements ClusterView {
    private final KubeConnection kube;
    private List<Pod> pods;
    private Map<String, Map<String, String>> namespaces;
    private List<PeerPolicy> peers;
    private Optional<String> meshConfig;
    private List<Service> allServices;
    private List<io.meshform.providers.istio.policy.DestinationPolicy> rules;
    private List<tools.jackson.databind.JsonNode> authorizationPolicies;
    private Boolean controlPlane;
    private final Map<String, Lookup<Service>> services = new HashMap<>();

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
    public synchronized List<Pod> pods() {
        if (pods == null) {
            pods = orElse(() -> kube.client().pods().inAnyNamespace().list().getItems(), List.of());
        }
        return pods;
    }

    @Override
    public synchronized Map<String, Map<String, String>> namespaces() {
        if (namespaces == null) {
            namespaces = orElse(() -> {
                // Sorted (Map.copyOf's order is randomised per JVM): checks that iterate it report in one order every run.
                Map<String, Map<String, String>> out = new java.util.TreeMap<>();
                for (Namespace ns : kube.client().namespaces().list().getItems()) {
                    Map<String, String> labels = ns.getMetadata().getLabels();
                    out.put(ns.getMetadata().getName(), labels == null ? Map.of() : SortedCopies.of(labels));
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
    public synchronized List<Service> services() {
        if (allServices == null) {
            allServices = orElse(() -> kube.client().services().inAnyNamespace().list().getItems(), List.of());
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
                List<tools.jackson.databind.JsonNode> out = new ArrayList<>();
                kube.client().genericKubernetesResources(CheckSupport.AUTHORIZATION_POLICY_CONTEXT).inAnyNamespace().list()
                        .getItems().forEach(p -> out.add(Json.toNode(p)));
                return out;
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
        for (GenericKubernetesResource r : kube.client().genericKubernetesResources(kind).inAnyNamespace().list().getItems()) {
            String ts = r.getMetadata().getCreationTimestamp();
            out.add(make.of(r.getMetadata().getNamespace(), r.getMetadata().getName(), ts == null ? null : Instant.parse(ts),
                    Json.toNode(r).path("spec"), null));
        }
        return out;
    }

    @Override
    public synchronized Optional<String> meshConfig() {
        if (meshConfig == null) {
            meshConfig = orElse(() -> {
                ConfigMap cm = kube.client().configMaps().inNamespace(Mesh.ISTIO_NAMESPACE).withName(Mesh.MESH_CONFIG_MAP).get();
                return cm == null || cm.getData() == null ? Optional.<String>empty()
                        : Optional.ofNullable(cm.getData().get(Mesh.MESH_CONFIG_KEY));
            }, Optional.empty());
        }
        return meshConfig;
    }

    @Override
    public synchronized Lookup<Service> service(String namespace, String name) {
        return services.computeIfAbsent(namespace + "/" + name, k -> orElse(
                () -> new Lookup<>(true, kube.client().services().inNamespace(namespace).withName(name).get()), Lookup.unknown()));
    }

    @Override
    public synchronized boolean controlPlane() {
        if (controlPlane == null) {
            controlPlane = orElse(() -> !kube.client().apps().deployments().inNamespace(Mesh.ISTIO_NAMESPACE).withLabel("app", "istiod")
                    .list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withLimit(1L).build()).getItems().isEmpty(), false);
        }
        return controlPlane;
    }
}

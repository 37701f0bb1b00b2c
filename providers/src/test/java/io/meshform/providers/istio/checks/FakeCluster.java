package io.meshform.providers.istio.checks;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.istio.policy.PeerPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** A cluster for unit tests of the checks: the objects given, nothing else; every read is answered. */
final class FakeCluster implements ClusterView {
    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    final List<Pod> pods = new ArrayList<>();
    final Map<String, Map<String, String>> namespaces = new HashMap<>();
    final List<PeerPolicy> peers = new ArrayList<>();
    final Map<String, Service> services = new HashMap<>();
    final List<io.meshform.providers.istio.policy.DestinationPolicy> rules = new ArrayList<>();
    final List<tools.jackson.databind.JsonNode> authorizationPolicies = new ArrayList<>();
    final List<tools.jackson.databind.JsonNode> envoyFilters = new ArrayList<>();
    final List<tools.jackson.databind.JsonNode> gateways = new ArrayList<>();
    final Map<String, String> unread = new HashMap<>();
    String mesh;
    /** The {@code mesh} key of each other revision's {@code istio-<revision>} ConfigMap, by revision (null: unreadable). */
    final Map<String, String> revisionMeshes = new HashMap<>();
    boolean controlPlane = true;
    /** The istiod Deployments (istioDeployments()), as JSON trees. */
    final List<tools.jackson.databind.JsonNode> istiods = new ArrayList<>();
    io.meshform.providers.istio.injection.Injectors injectors = io.meshform.providers.istio.injection.Injectors.UNKNOWN;
    /** Field managers of each namespace label, "ns/key" to managers, as managedFields say. */
    final Map<String, java.util.Set<String>> labelManagers = new HashMap<>();

    PlannedMesh mesh(CheckContext ctx) {
        return new PlannedMesh(ctx, this);
    }

    /** The injector webhooks, from the labels of each MutatingWebhookConfiguration (see {@code Injectors.of}). */
    FakeCluster webhooks(List<Map<String, String>> webhookLabels) {
        injectors = io.meshform.providers.istio.injection.Injectors.of(webhookLabels);
        return this;
    }

    @Override
    public io.meshform.providers.istio.injection.Injectors injectors() {
        return injectors;
    }

    /** Namespace {@code ns}'s label {@code key} is owned by these field managers. */
    FakeCluster labelOwners(String ns, String key, String... managers) {
        labelManagers.put(ns + "/" + key, java.util.Set.of(managers));
        return this;
    }

    /** As LiveCluster answers, with meshform's field manager "meshform" (the default fieldManager). */
    @Override
    public java.util.Set<String> labelsOwnedOnlyBy(String namespace, String address) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        labelManagers.forEach((k, managers) -> {
            if (k.startsWith(namespace + "/") && managers.equals(java.util.Set.of("meshform/" + address))) {
                out.add(k.substring(namespace.length() + 1));
            }
        });
        return out;
    }

    FakeCluster namespace(String name, String... labels) {
        Map<String, String> l = new HashMap<>();
        for (int i = 0; i + 1 < labels.length; i += 2) {
            l.put(labels[i], labels[i + 1]);
        }
        namespaces.put(name, l);
        return this;
    }

    /** A running pod with a sidecar, labels as k, v, k, v, and these container ports. */
    FakeCluster pod(String ns, String name, Map<String, String> labels, int... ports) {
        pods.add(pod(ns, name, labels, true, ports));
        return this;
    }

    /**
     * A running gateway pod as Istio's gateway charts and injection template give it: an istio-proxy container started
     * as {@code proxy router}, owned by the ReplicaSet {@code replicaSet} (none when null), listening on {@code ports}.
     */
    FakeCluster gateway(String ns, String name, Map<String, String> labels, String replicaSet, int... ports) {
        Pod p = pod(ns, name, labels, false, ports);
        p.getSpec().getContainers().add(new ContainerBuilder().withName("istio-proxy").withArgs("proxy", "router").build());
        if (labels.containsKey("istio.io/rev")) {
            // istioctl's gateway chart writes the revision as a label and an annotation alike (istio-ingress deployment.yaml)
            p.getMetadata().setAnnotations(new java.util.HashMap<>(p.getMetadata().getAnnotations() == null ? Map.of()
                    : p.getMetadata().getAnnotations()));
            p.getMetadata().getAnnotations().put("istio.io/rev", labels.get("istio.io/rev"));
        }
        if (replicaSet != null) {
            p.getMetadata().setOwnerReferences(List.of(new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                    .withApiVersion("apps/v1").withKind("ReplicaSet").withName(replicaSet).withController(true).build()));
        }
        pods.add(p);
        return this;
    }

    /** A live Gateway API Gateway, written as YAML (apiVersion and kind are added). */
    FakeCluster gatewayObject(String yaml) {
        tools.jackson.databind.node.ObjectNode g = (tools.jackson.databind.node.ObjectNode) YAML.readTree(yaml);
        g.put("apiVersion", "gateway.networking.k8s.io/v1").put("kind", "Gateway");
        gateways.add(g);
        return this;
    }

    @Override
    public List<tools.jackson.databind.JsonNode> gateways() {
        return gateways;
    }

    @Override
    public List<tools.jackson.databind.JsonNode> istiodDeployments() {
        return istiods;
    }

    static Pod pod(String ns, String name, Map<String, String> labels, boolean sidecar, int... ports) {
        ContainerBuilder app = new ContainerBuilder().withName("app").withImage("app");
        for (int p : ports) {
            app.addToPorts(new ContainerPortBuilder().withContainerPort(p).build());
        }
        PodBuilder b = new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).withLabels(labels).endMetadata()
                .withNewSpec().addToContainers(app.build()).endSpec().withNewStatus().withPhase("Running").endStatus();
        if (sidecar) {
            b.editSpec().addToContainers(new ContainerBuilder().withName("istio-proxy").build()).endSpec();
        }
        return b.build();
    }

    /** The {@code istio.io/rev} label of live PeerAuthentications, by "namespace/name". */
    final Map<String, String> peerRevisions = new HashMap<>();

    @Override
    public Map<String, String> peerAuthenticationRevisions() {
        return peerRevisions;
    }

    /** An istiod Deployment of {@code revision} (its {@code istio.io/rev} label), as the chart labels it. */
    FakeCluster istiod(String revision) {
        istiods.add(YAML.readTree("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: istiod, namespace: istio-system,"
                + " labels: {app: istiod, istio.io/rev: " + revision + "}}\n"));
        return this;
    }

    /** A live PeerAuthentication, created at {@code created} (ISO-8601), spec as YAML. */
    FakeCluster peer(String ns, String name, String created, String specYaml) {
        peers.add(PeerPolicy.of(ns, name, Instant.parse(created), YAML.readTree(specYaml), null));
        return this;
    }

    FakeCluster service(String ns, String name, int... ports) {
        ServiceBuilder b = new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata().withNewSpec().endSpec();
        for (int p : ports) {
            b.editSpec().addNewPort().withPort(p).endPort().endSpec();
        }
        services.put(ns + "/" + name, b.build());
        return this;
    }

    /** A Service selecting {@code selector} (k, v, ...) with these ports (targetPort = port). */
    FakeCluster service(String ns, String name, Map<String, String> selector, int... ports) {
        service(ns, name, ports);
        services.get(ns + "/" + name).getSpec().setSelector(selector);
        return this;
    }

    /** A live AuthorizationPolicy, spec as YAML. */
    FakeCluster authorizationPolicy(String ns, String name, String specYaml) {
        var o = io.meshform.providers.kubernetes.Json.object();
        o.put("apiVersion", "security.istio.io/v1").put("kind", "AuthorizationPolicy");
        o.putObject("metadata").put("namespace", ns).put("name", name);
        o.set("spec", YAML.readTree(specYaml));
        authorizationPolicies.add(o);
        return this;
    }

    @Override
    public List<tools.jackson.databind.JsonNode> authorizationPolicies() {
        return authorizationPolicies;
    }

    /** A live EnvoyFilter, spec as YAML. */
    FakeCluster envoyFilter(String ns, String name, String specYaml) {
        var o = io.meshform.providers.kubernetes.Json.object();
        o.put("apiVersion", "networking.istio.io/v1alpha3").put("kind", "EnvoyFilter");
        o.putObject("metadata").put("namespace", ns).put("name", name);
        o.set("spec", YAML.readTree(specYaml));
        envoyFilters.add(o);
        return this;
    }

    @Override
    public List<tools.jackson.databind.JsonNode> envoyFilters() {
        return envoyFilters;
    }

    @Override
    public Map<String, String> unread() {
        return unread;
    }

    @Override
    public List<tools.jackson.databind.JsonNode> services() {
        return services.values().stream().map(io.meshform.providers.kubernetes.Json::toNode).toList();
    }

    @Override
    public List<io.meshform.providers.istio.policy.DestinationPolicy> destinationRules() {
        return rules;
    }

    @Override
    public List<io.meshform.providers.istio.injection.LivePod> pods() {
        return io.meshform.providers.istio.injection.LivePods.of(pods);
    }

    @Override
    public Map<String, Map<String, String>> namespaces() {
        return namespaces;
    }

    @Override
    public List<PeerPolicy> peerAuthentications() {
        return peers;
    }

    @Override
    public Optional<String> meshConfig() {
        return Optional.ofNullable(mesh);
    }

    @Override
    public Lookup<String> meshConfig(String revision) {
        if (io.meshform.providers.istio.core.Mesh.meshConfigMap(revision).equals("istio")) {
            return new Lookup<>(true, mesh);
        }
        return revisionMeshes.containsKey(revision) && revisionMeshes.get(revision) == null ? Lookup.unknown()
                : new Lookup<>(true, revisionMeshes.get(revision));
    }

    @Override
    public Lookup<tools.jackson.databind.JsonNode> service(String namespace, String name) {
        Service s = services.get(namespace + "/" + name);
        return new Lookup<>(true, s == null ? null : io.meshform.providers.kubernetes.Json.toNode(s));
    }

    @Override
    public boolean controlPlane() {
        return controlPlane;
    }
}

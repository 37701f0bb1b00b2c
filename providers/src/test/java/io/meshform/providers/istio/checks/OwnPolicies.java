package io.meshform.providers.istio.checks;

import io.meshform.providers.istio.injection.Injectors;
import io.meshform.providers.istio.injection.LivePod;
import io.meshform.providers.istio.policy.DestinationPolicy;
import io.meshform.providers.istio.policy.PeerPolicy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/**
 * The live cluster as {@code live} reads it, except that only the AuthorizationPolicies {@code own} accepts are seen:
 * an integration test's own. The test bed is shared (other tests, an example stack someone applied), and a policy of
 * theirs in the root namespace that selects a gateway label (the Cortex examples' CUSTOM policy on
 * {@code istio: ingressgateway}) rightly changes what an authorization check says about any workload that may carry
 * that label; a test that proves what its own objects make the check say must not depend on what else is installed.
 */
record OwnPolicies(ClusterView live, Predicate<JsonNode> own) implements ClusterView {

    /** Only the policies in {@code namespace}, or named {@code namespace/name} in {@code named}. */
    static OwnPolicies of(ClusterView live, String namespace, Set<String> named) {
        return new OwnPolicies(live, p -> {
            String ns = p.path("metadata").path("namespace").asString();
            return ns.equals(namespace) || named.contains(ns + "/" + p.path("metadata").path("name").asString());
        });
    }

    @Override
    public List<JsonNode> authorizationPolicies() {
        return live.authorizationPolicies().stream().filter(own).toList();
    }

    @Override
    public List<LivePod> pods() {
        return live.pods();
    }

    @Override
    public Map<String, Map<String, String>> namespaces() {
        return live.namespaces();
    }

    @Override
    public Set<String> labelsOwnedOnlyBy(String namespace, String address) {
        return live.labelsOwnedOnlyBy(namespace, address);
    }

    @Override
    public List<PeerPolicy> peerAuthentications() {
        return live.peerAuthentications();
    }

    @Override
    public List<JsonNode> services() {
        return live.services();
    }

    @Override
    public List<DestinationPolicy> destinationRules() {
        return live.destinationRules();
    }

    @Override
    public List<JsonNode> envoyFilters() {
        return live.envoyFilters();
    }

    @Override
    public List<JsonNode> gateways() {
        return live.gateways();
    }

    @Override
    public Injectors injectors() {
        return live.injectors();
    }

    @Override
    public Optional<String> meshConfig() {
        return live.meshConfig();
    }

    @Override
    public Lookup<JsonNode> service(String namespace, String name) {
        return live.service(namespace, name);
    }

    @Override
    public Map<String, String> unread() {
        return live.unread();
    }

    @Override
    public boolean controlPlane() {
        return live.controlPlane();
    }
}

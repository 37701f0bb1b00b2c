package io.meshform.providers.istio.checks;

import io.meshform.providers.istio.injection.Injectors;
import io.meshform.providers.istio.injection.LivePod;
import io.meshform.providers.istio.policy.DestinationPolicy;
import io.meshform.providers.istio.policy.PeerPolicy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * A view of the cluster that answers as {@link #live()} does in everything it does not override: the integration tests'
 * views that hide part of a shared test bed (other tests' policies, a Gateway's pods) change one answer each.
 */
interface ForwardingClusterView extends ClusterView {
    ClusterView live();

    @Override
    default List<LivePod> pods() {
        return live().pods();
    }

    @Override
    default Map<String, Map<String, String>> namespaces() {
        return live().namespaces();
    }

    @Override
    default Set<String> labelsOwnedOnlyBy(String namespace, String address) {
        return live().labelsOwnedOnlyBy(namespace, address);
    }

    @Override
    default List<PeerPolicy> peerAuthentications() {
        return live().peerAuthentications();
    }

    @Override
    default List<JsonNode> services() {
        return live().services();
    }

    @Override
    default List<DestinationPolicy> destinationRules() {
        return live().destinationRules();
    }

    @Override
    default List<JsonNode> authorizationPolicies() {
        return live().authorizationPolicies();
    }

    @Override
    default List<JsonNode> envoyFilters() {
        return live().envoyFilters();
    }

    @Override
    default List<JsonNode> gateways() {
        return live().gateways();
    }

    @Override
    default Injectors injectors() {
        return live().injectors();
    }

    @Override
    default Optional<String> meshConfig() {
        return live().meshConfig();
    }

    @Override
    default Lookup<JsonNode> service(String namespace, String name) {
        return live().service(namespace, name);
    }

    @Override
    default Map<String, String> unread() {
        return live().unread();
    }

    @Override
    default boolean controlPlane() {
        return live().controlPlane();
    }
}

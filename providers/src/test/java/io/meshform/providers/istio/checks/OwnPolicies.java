package io.meshform.providers.istio.checks;

import java.util.List;
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
record OwnPolicies(ClusterView live, Predicate<JsonNode> own) implements ForwardingClusterView {

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
}

package io.meshform.providers.istio.policy;

import io.meshform.providers.kubernetes.Json;
import tools.jackson.databind.JsonNode;

/**
 * What a DestinationRule's {@code trafficPolicy} says for one Service port, read the two ways istiod reads it: for the
 * cluster a {@code portLevelSettings} entry replaces the whole policy ({@link #portLevel}); for the endpoints' metadata
 * only a port entry's tls replaces the top-level mode ({@link #edsTlsMode}). {@link ClientMtls} asks both.
 */
final class PortTrafficPolicy {
    private PortTrafficPolicy() {
    }

    /**
     * The policy's {@code loadBalancer.simple}, null without one: PASSTHROUGH makes the cluster ORIGINAL_DST
     * ({@code applyLoadBalancer}, pilot/pkg/networking/core/cluster_traffic_policy.go).
     */
    static String lbSimple(JsonNode policy) {
        return policy == null ? null : Json.text(policy.path("loadBalancer"), "simple");
    }

    /**
     * {@code GetPortLevelTrafficPolicy}, pilot/pkg/networking/util/util.go: the {@code portLevelSettings} entry for the
     * Service port replaces the whole policy; fields it omits are not inherited.
     */
    static JsonNode portLevel(JsonNode policy, int servicePort) {
        if (policy == null) {
            return null;
        }
        for (JsonNode p : policy.path("portLevelSettings")) {
            if (p.path("port").path("number").asInt(-1) == servicePort) {
                return p;
            }
        }
        return policy;
    }

    /**
     * {@code trafficPolicyTLSModeForPort}, pilot/pkg/xds/endpoints/mtls_checker.go: the top-level tls mode, replaced by
     * the first port entry for the Service port that has tls (unlike the cluster, a port entry without tls keeps the
     * top-level mode here).
     */
    static String edsTlsMode(JsonNode policy, int servicePort) {
        if (policy == null) {
            return null;
        }
        String mode = policy.get("tls") != null && policy.get("tls").isObject() ? Json.text(policy.get("tls"), "mode", "DISABLE") : null;
        for (JsonNode p : policy.path("portLevelSettings")) {
            if (p.path("port").path("number").asInt(-1) == servicePort && p.get("tls") != null && p.get("tls").isObject()) {
                return Json.text(p.get("tls"), "mode", "DISABLE");
            }
        }
        return mode;
    }
}

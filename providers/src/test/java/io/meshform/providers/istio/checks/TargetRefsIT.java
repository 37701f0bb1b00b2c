package io.meshform.providers.istio.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.meshform.providers.DefaultIstio;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.GenericObjects;
import io.meshform.testkit.LiveClusterTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * What {@link TargetRefs} says, against the test bed's istiod: on the ingress gateway istioctl installs, a DENY policy
 * with a selector gets into the gateway's RBAC filter, and the same policy with targetRefs (the gateway's Service, or a
 * Gateway of that name) does not.
 */
@LiveClusterTest
class TargetRefsIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final ResourceDefinitionContext AUTHZ = kind("security.istio.io", "AuthorizationPolicy", "authorizationpolicies");
    static final ResourceDefinitionContext GATEWAY = kind("networking.istio.io", "Gateway", "gateways");

    private static ResourceDefinitionContext kind(String group, String kind, String plural) {
        return new ResourceDefinitionContext.Builder().withGroup(group).withVersion("v1").withKind(kind)
                .withPlural(plural).withNamespaced(true).build();
    }

    @Test
    void istiodLeavesAPolicyWithTargetRefsOffTheClassicIngressGateway(ClusterContext cluster) throws InterruptedException {
        DefaultIstio.ensure(cluster);
        var client = cluster.client();
        Pod gateway = client.pods().inNamespace("istio-system").withLabel("istio", "ingressgateway").list().getItems().stream()
                .findFirst().orElseThrow(() -> new AssertionError("the default profile's ingress gateway pod is missing"));
        assertFalse(gateway.getMetadata().getLabels().containsKey(TargetRefs.GATEWAY_NAME), "istioctl's gateway is no Gateway API one");
        String ns = cluster.newNamespace();
        client.genericKubernetesResources(GATEWAY).inNamespace(ns).resource(GenericObjects.of("networking.istio.io/v1", "Gateway", ns,
                "tr-gateway", Map.of("selector", Map.of("istio", "ingressgateway"), "servers", List.of(Map.of(
                        "port", Map.of("number", 80, "name", "http", "protocol", "HTTP"), "hosts", List.of("*")))))).create();
        Map<String, Object> rules = Map.of("action", "DENY", "rules", List.of(Map.of("to", List.of(Map.of("operation",
                Map.of("paths", List.of("/tr-admin")))))));
        var policies = client.genericKubernetesResources(AUTHZ).inNamespace("istio-system");
        List<String> names = List.of("tr-selector", "tr-service", "tr-gateway");
        try {
            policies.resource(GenericObjects.of("security.istio.io/v1", "AuthorizationPolicy", "istio-system", names.get(0),
                    with(rules, "selector", Map.of("matchLabels", Map.of("istio", "ingressgateway"))))).create();
            policies.resource(GenericObjects.of("security.istio.io/v1", "AuthorizationPolicy", "istio-system", names.get(1),
                    with(rules, "targetRefs", List.of(Map.of("kind", "Service", "group", "", "name", "istio-ingressgateway"))))).create();
            policies.resource(GenericObjects.of("security.istio.io/v1", "AuthorizationPolicy", "istio-system", names.get(2),
                    with(rules, "targetRefs", List.of(Map.of("kind", "Gateway", "group", "gateway.networking.k8s.io",
                            "name", "istio-ingressgateway"))))).create();
            String filters = filters(cluster, gateway, "policy[tr-selector]");
            assertTrue(filters.contains("policy[tr-selector]"), filters);
            assertFalse(filters.contains("policy[tr-service]"), "a Service target: " + filters);
            assertFalse(filters.contains("policy[tr-gateway]"), "a Gateway target: " + filters);
        } finally {
            names.forEach(n -> policies.withName(n).delete());
        }
    }

    private static Map<String, Object> with(Map<String, Object> spec, String key, Object value) {
        Map<String, Object> out = new java.util.LinkedHashMap<>(spec);
        out.put(key, value);
        return out;
    }

    /** The gateway's authorization filters, once istiod pushed the one that names {@code expected}. */
    private static String filters(ClusterContext cluster, Pod gateway, String expected) throws InterruptedException {
        String pod = gateway.getMetadata().getNamespace() + "/" + gateway.getMetadata().getName();
        String last = "";
        for (int attempt = 0; attempt < 20; attempt++) {
            String answer = cluster.proxyConfig().probe(List.of(pod), List.of());
            JsonNode proxy = JSON.readTree(answer.substring(answer.startsWith("{") ? 0 : answer.indexOf("\n{") + 1))
                    .get("proxies").get(0);
            assertEquals("router", proxy.get("nodeType").asString());
            last = proxy.path("authorization").toString();
            if (last.contains(expected)) {
                return last;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("istiod did not push " + expected + " to the gateway: " + last);
    }
}

package io.meshform.providers.istio.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.meshform.providers.DefaultIstio;
import io.meshform.providers.istio.policy.AuthzPolicy;
import io.meshform.providers.istio.policy.PolicyAttachment;
import io.meshform.providers.istio.policy.PolicyTarget;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.GenericObjects;
import io.meshform.testkit.LiveClusterTest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * What {@link TargetRefs} says, against the test bed's istiod: on the ingress gateway istioctl installs, a DENY policy
 * with a selector gets into the gateway's RBAC filter, and the same policy with targetRefs (the gateway's Service, or a
 * Gateway of that name) does not; on a Gateway API gateway's pod, a policy whose targetRefs name its Gateway does.
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

    /**
     * A Gateway API gateway's pod (labelled gateway.networking.k8s.io/gateway-name, its istio-proxy started as
     * {@code proxy router}, as Istio's kube-gateway template makes it; the test bed runs no Gateway API controller, so
     * the pod is made by hand and an Istio Gateway gives it an HTTP listener): istiod puts into its RBAC filter the
     * policy whose targetRefs name its Gateway from its own namespace, and none of the others, and
     * {@link PolicyAttachment#attaches} says the same of each.
     */
    @Test
    void istiodAttachesAPolicyTargetingTheGatewayToTheGatewayApiGatewaysPods(ClusterContext cluster) throws InterruptedException {
        DefaultIstio.ensure(cluster);
        var client = cluster.client();
        String ns = cluster.newNamespace();
        Map<String, String> labels = Map.of(PolicyTarget.GATEWAY_NAME_LABEL, "public", "sidecar.istio.io/inject", "false");
        Pod gateway = client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("public-istio-0")
                .withLabels(labels).endMetadata().withNewSpec().addToContainers(new ContainerBuilder().withName("istio-proxy")
                        .withImage("docker.io/istio/proxyv2:1.30.3").withArgs("proxy", "router", "--domain",
                                "$(POD_NAMESPACE).svc.cluster.local").build()).endSpec().build()).create();
        client.pods().inNamespace(ns).withName(gateway.getMetadata().getName())
                .waitUntilCondition(p -> p != null && p.getStatus() != null && p.getStatus().getPodIP() != null, 60, TimeUnit.SECONDS);
        client.genericKubernetesResources(GATEWAY).inNamespace(ns).resource(GenericObjects.of("networking.istio.io/v1", "Gateway", ns,
                "public-http", Map.of("selector", Map.of(PolicyTarget.GATEWAY_NAME_LABEL, "public"), "servers", List.of(Map.of(
                        "port", Map.of("number", 80, "name", "http", "protocol", "HTTP"), "hosts", List.of("*")))))).create();
        Map<String, Object> rules = Map.of("action", "DENY", "rules", List.of(Map.of("to", List.of(Map.of("operation",
                Map.of("paths", List.of("/tr-admin")))))));
        Map<String, Object> toPublic = Map.of("kind", "Gateway", "group", PolicyTarget.GATEWAY_API_GROUP, "name", "public");
        Map<String, Map<String, Object>> specs = new java.util.LinkedHashMap<>();
        specs.put(ns + "/gw-gateway", with(rules, "targetRefs", List.of(toPublic)));
        specs.put(ns + "/gw-single", with(rules, "targetRef", toPublic));
        specs.put(ns + "/gw-other", with(rules, "targetRefs", List.of(Map.of("kind", "Gateway", "group",
                PolicyTarget.GATEWAY_API_GROUP, "name", "private"))));
        specs.put(ns + "/gw-service", with(rules, "targetRefs", List.of(Map.of("kind", "Service", "group", "", "name", "public-istio"))));
        specs.put("istio-system/gw-root", with(rules, "targetRefs", List.of(toPublic)));
        specs.put(ns + "/gw-selector", with(rules, "selector", Map.of("matchLabels", Map.of(PolicyTarget.GATEWAY_NAME_LABEL, "public"))));
        try {
            specs.forEach((id, spec) -> {
                String[] at = id.split("/");
                client.genericKubernetesResources(AUTHZ).inNamespace(at[0]).resource(GenericObjects.of("security.istio.io/v1",
                        "AuthorizationPolicy", at[0], at[1], spec)).create();
            });
            String filters = filters(cluster, gateway, "policy[gw-gateway]");
            Map<String, Boolean> istiod = new java.util.TreeMap<>();
            Map<String, Boolean> model = new java.util.TreeMap<>();
            specs.forEach((id, spec) -> {
                String[] at = id.split("/");
                istiod.put(id, filters.contains("policy[" + at[1] + "]"));
                var object = JSON.valueToTree(Map.of("metadata", Map.of("namespace", at[0], "name", at[1]), "spec", spec));
                model.put(id, PolicyAttachment.attaches(AuthzPolicy.of(object), ns, labels, "istio-system"));
            });
            assertEquals(Map.of(ns + "/gw-gateway", true, ns + "/gw-single", true, ns + "/gw-other", false, ns + "/gw-service",
                    false, "istio-system/gw-root", false, ns + "/gw-selector", true), istiod, filters);
            assertEquals(istiod, model, "meshform's attachment rule against istiod's");
        } finally {
            specs.keySet().forEach(id -> client.genericKubernetesResources(AUTHZ).inNamespace(id.split("/")[0])
                    .withName(id.split("/")[1]).delete());
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

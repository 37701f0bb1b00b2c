package io.meshform.providers.istio.checks;

import static io.meshform.providers.TestSpecs.decl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.Severity;
import io.meshform.engine.model.Environment;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.ProviderSettings;
import io.meshform.providers.DefaultIstio;
import io.meshform.providers.istio.gatewayapi.GatewayApiCrds;
import io.meshform.providers.istio.injection.LivePod;
import io.meshform.providers.istio.policy.PolicyTarget;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.GenericObjects;
import io.meshform.testkit.LiveClusterTest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A DENY policy that selects a Gateway API Gateway's pods by the class label istiod's deployment controller gives them
 * ({@code gateway.networking.k8s.io/gateway-class-name: istio}, kube-gateway.yaml, Istio 1.30.3) gets into the RBAC
 * filter istiod sends those pods, and {@link TokenNotRequired} counts it for a RequestAuthentication targeting the
 * Gateway: from the pods istiod made, and from the live Gateway object alone (the pods hidden, as before they run).
 * Before, the check judged the Gateway's pods with four labels, without the class label, and warned.
 */
@LiveClusterTest
class GatewayPodsIT {
    static final ResourceDefinitionContext GATEWAY = new ResourceDefinitionContext.Builder()
            .withGroup(PolicyTarget.GATEWAY_API_GROUP).withVersion("v1").withKind("Gateway").withPlural("gateways")
            .withNamespaced(true).build();
    static final String DENY_NAME = "gwp-deny-tokenless";

    @Test
    void aDenyOnTheClassLabelReachesTheGatewaysPodsAsIstiodConfiguresThem(ClusterContext cluster) throws Exception {
        DefaultIstio.ensure(cluster);
        var client = cluster.client();
        try (GatewayApiCrds crds = GatewayApiCrds.install(cluster)) {
            String ns = cluster.newNamespace();
            client.genericKubernetesResources(GATEWAY).inNamespace(ns).resource(GenericObjects.of(
                    PolicyTarget.GATEWAY_API_GROUP + "/v1", "Gateway", ns, "public", Map.of("gatewayClassName", "istio",
                            "listeners", List.of(Map.of("name", "http", "port", 80, "protocol", "HTTP"))))).create();
            client.apps().deployments().inNamespace(ns).withName("public-istio")
                    .waitUntilCondition(d -> d != null, 60, TimeUnit.SECONDS);
            Pod pod = waitForPod(cluster, ns);
            String podName = ns + "/" + pod.getMetadata().getName();

            client.genericKubernetesResources(TokenNotRequiredIT.REQUEST_AUTHN).inNamespace(ns).resource(GenericObjects.of(
                    "security.istio.io/v1", "RequestAuthentication", ns, TokenNotRequiredIT.RA_NAME, Map.of(
                            "targetRefs", List.of(Map.of("group", PolicyTarget.GATEWAY_API_GROUP, "kind", "Gateway", "name", "public")),
                            "jwtRules", List.of(Map.of("issuer", "https://gwp.example.com", "jwks", TokenNotRequiredIT.JWKS))))).create();
            client.genericKubernetesResources(TokenNotRequiredIT.AUTHZ).inNamespace(ns).resource(GenericObjects.of(
                    "security.istio.io/v1", "AuthorizationPolicy", ns, DENY_NAME, Map.of(
                            "selector", Map.of("matchLabels", Map.of("gateway.networking.k8s.io/gateway-class-name", "istio")),
                            "action", "DENY", "rules", List.of(Map.of("from", List.of(Map.of("source",
                                    Map.of("notRequestPrincipals", List.of("*")))))))))
                    .create();
            String authz = "";
            for (int attempt = 0; attempt < 30 && !authz.contains("policy[" + DENY_NAME + "]"); attempt++) {
                Thread.sleep(500);
                authz = authorization(cluster, podName);
            }
            assertTrue(authz.contains("policy[" + DENY_NAME + "]") && authz.contains("\"DENY\""),
                    "istiod attaches the class-label DENY to the Gateway's pod: " + authz);

            ResourceDecl stack = decl("istio.requestAuthentication.jwt", "namespace: " + ns + "\nname: " + TokenNotRequiredIT.RA_NAME
                    + "\ntargetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: public}]\njwtRules: [{issuer:"
                    + " https://gwp.example.com, jwks: '" + TokenNotRequiredIT.JWKS + "'}]\n");
            assertEquals(List.of(), plan(cluster, stack, ns, false), "judged with the running pods' labels");
            assertEquals(List.of(), plan(cluster, stack, ns, true), "judged with the live Gateway and istiod's template");

            client.genericKubernetesResources(TokenNotRequiredIT.AUTHZ).inNamespace(ns).withName(DENY_NAME).delete();
            for (int attempt = 0; attempt < 30 && authz.contains("policy[" + DENY_NAME + "]"); attempt++) {
                Thread.sleep(500);
                authz = authorization(cluster, podName);
            }
            assertTrue(!authz.contains("policy[" + DENY_NAME + "]"), authz);
            List<Diagnostic> without = plan(cluster, stack, ns, true);
            assertEquals(1, without.size(), without.toString());
            assertEquals(Severity.WARNING, without.get(0).severity());
        }
    }

    /** A pod of Deployment public-istio with an IP, which the proxy-config probe connects to istiod as. */
    private static Pod waitForPod(ClusterContext cluster, String ns) throws InterruptedException {
        for (int attempt = 0; attempt < 60; attempt++) {
            var pods = cluster.client().pods().inNamespace(ns).withLabel(PolicyTarget.GATEWAY_NAME_LABEL, "public").list().getItems();
            var ready = pods.stream().filter(p -> p.getStatus() != null && p.getStatus().getPodIP() != null).findFirst();
            if (ready.isPresent()) {
                return ready.get();
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("istiod's Deployment " + ns + "/public-istio got no pod with an IP in 60 s");
    }

    /** The check at plan with this test's live policies only; {@code hidePods}: as if the Gateway's pods did not run yet. */
    private static List<Diagnostic> plan(ClusterContext cluster, ResourceDecl stack, String ns, boolean hidePods) {
        try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", cluster.kubeconfigPath().toString())))) {
            CheckContext ctx = MeshChecksTest.ctx(CheckContext.Purpose.PLAN, Environment.STAGING, stack);
            ClusterView own = OwnPolicies.of(new LiveCluster(kube), ns, java.util.Set.of());
            ClusterView view = hidePods ? new WithoutPods(own, ns) : own;
            return TokenNotRequired.findings(new PlannedMesh(ctx, view));
        }
    }

    private static String authorization(ClusterContext cluster, String pod) {
        String answer = cluster.proxyConfig().probe(List.of(pod), List.of());
        JsonNode doc = TokenNotRequiredIT.JSON.readTree(answer.substring(answer.startsWith("{") ? 0 : answer.indexOf("\n{") + 1));
        return doc.get("proxies").get(0).path("authorization").toString();
    }

    /** {@code live} without the pods of namespace {@code ns}. */
    private record WithoutPods(ClusterView live, String ns) implements ForwardingClusterView {
        @Override
        public List<LivePod> pods() {
            return live.pods().stream().filter(p -> !ns.equals(p.namespace())).toList();
        }
    }
}

package io.meshform.providers.istio.checks;

import static io.meshform.providers.TestSpecs.decl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.Severity;
import io.meshform.engine.model.Environment;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.ProviderSettings;
import io.meshform.providers.DefaultIstio;
import io.meshform.providers.istio.policy.PolicyTarget;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.GenericObjects;
import io.meshform.testkit.LiveClusterTest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * What {@link TokenNotRequired} says, against the test bed's istiod on the ingress gateway istioctl installs: a
 * RequestAuthentication alone gives the gateway a jwt_authn filter whose one requirement is {@code provider or
 * allow_missing} (a request without a token passes) and no RBAC rule on the request principal, and the check warns at
 * plan; a live DENY {@code notRequestPrincipals: ["*"]} outside the stack gives the gateway an RBAC DENY rule on the
 * request principal, and the check says nothing. The check sees only this test's live AuthorizationPolicies
 * ({@link OwnPolicies}), so the verdicts hold on a test bed where other stacks (the Cortex examples) are installed;
 * what istiod pushes is read from the same live gateways as before.
 */
@LiveClusterTest
class TokenNotRequiredIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String RA_NAME = "tnr-jwt";
    static final String DENY_NAME = "tnr-deny-tokenless";
    // An inline key set: istiod would otherwise fetch jwksUri, and the test bed has no network to fetch it from.
    static final String JWKS = "{\"keys\":[{\"kty\":\"RSA\",\"e\":\"AQAB\",\"kid\":\"tnr\",\"n\":\"xAE7eB6qugXyCAG3yhh7pkDkT65pHymX-P7KfIupjf59vsdo91bSP9C8H07pSAGQO1MV_xFj9VswgsCg4R6otmg5PV2He95lZdHtOcU5DXIg_pbhLdKXbi66GlVeK6ABZOUW3WYtnNHD-91gVuoeJT_DwtGGcp4ignkgXfkiEm4sw-4sfb4qdt5oLbyVpmW6x9cfa7vs2WTfURiCrBoUqgBo_-4WTiULmmHSGZHOjzwa8WtrtOQGsAFjIbno85jp6MnGGGZPYZbDAa_b3y5u-YpW7ypZrvD8BgtKVjgtQgZhLAGezMt0ua3DRrWnKqTZ0BJ_EyxOGuHJrLsn00fnMQ\"}]}";

    static final ResourceDefinitionContext AUTHZ = kind("AuthorizationPolicy", "authorizationpolicies");
    static final ResourceDefinitionContext REQUEST_AUTHN = kind("RequestAuthentication", "requestauthentications");
    static final ResourceDefinitionContext GATEWAY = new ResourceDefinitionContext.Builder().withGroup("networking.istio.io")
            .withVersion("v1").withKind("Gateway").withPlural("gateways").withNamespaced(true).build();

    private static ResourceDefinitionContext kind(String kind, String plural) {
        return new ResourceDefinitionContext.Builder().withGroup("security.istio.io").withVersion("v1").withKind(kind)
                .withPlural(plural).withNamespaced(true).build();
    }

    static final ResourceDecl STACK_RA = decl("istio.requestAuthentication.jwt", "namespace: istio-system\nname: " + RA_NAME
            + "\nselector: {matchLabels: {istio: ingressgateway}}\njwtRules: [{issuer: https://tnr.example.com, jwks: '" + JWKS + "'}]\n");

    @Test
    void aRequestAuthenticationAloneLetsTokenlessRequestsThroughUntilADenyRequiresAToken(ClusterContext cluster)
            throws Exception {
        DefaultIstio.ensure(cluster);
        var client = cluster.client();
        Pod gateway = client.pods().inNamespace("istio-system").withLabel("istio", "ingressgateway").list().getItems().stream()
                .findFirst().orElseThrow(() -> new AssertionError("the default profile's ingress gateway pod is missing"));
        String pod = "istio-system/" + gateway.getMetadata().getName();
        // The gateway gets an HTTP listener (where the filters go) only once a Gateway selects it.
        String ns = cluster.newNamespace();
        client.genericKubernetesResources(GATEWAY).inNamespace(ns).resource(GenericObjects.of("networking.istio.io/v1", "Gateway", ns,
                "tnr-gateway", Map.of("selector", Map.of("istio", "ingressgateway"), "servers", List.of(Map.of(
                        "port", Map.of("number", 80, "name", "http", "protocol", "HTTP"), "hosts", List.of("*")))))).create();
        var ras = client.genericKubernetesResources(REQUEST_AUTHN).inNamespace("istio-system");
        var policies = client.genericKubernetesResources(AUTHZ).inNamespace("istio-system");
        try {
            // What the stack would apply: the RequestAuthentication alone.
            ras.resource(GenericObjects.of("security.istio.io/v1", "RequestAuthentication", "istio-system", RA_NAME, Map.of(
                    "selector", Map.of("matchLabels", Map.of("istio", "ingressgateway")),
                    "jwtRules", List.of(Map.of("issuer", "https://tnr.example.com", "jwks", JWKS))))).create();
            JsonNode jwt = until(cluster, pod, raw -> jwtFilters(raw).toString().contains("https://tnr.example.com"), "the jwt_authn filter");
            String filter = jwtFilters(jwt).toString();
            // Istio's requirement for one issuer: {provider OR allow_missing} (convertToEnvoyJwtConfig)
            assertTrue(filter.contains("\"requires_any\"") && filter.contains("\"allow_missing\""), filter);
            assertTrue(!authorization(cluster, pod).contains(DENY_NAME), "no policy of ours yet");

            List<Diagnostic> alone = plan(cluster, STACK_RA, ns);
            assertEquals(1, alone.size(), alone.toString());
            assertEquals(Severity.WARNING, alone.get(0).severity());
            assertTrue(alone.get(0).summary().contains("requests without a token are let through"), alone.get(0).summary());

            // A DENY outside the stack that requires a token: istiod adds an RBAC DENY rule on the request principal.
            policies.resource(GenericObjects.of("security.istio.io/v1", "AuthorizationPolicy", "istio-system", DENY_NAME, Map.of(
                    "selector", Map.of("matchLabels", Map.of("istio", "ingressgateway")), "action", "DENY",
                    "rules", List.of(Map.of("from", List.of(Map.of("source", Map.of("notRequestPrincipals", List.of("*"))))))))).create();
            String authz = "";
            for (int attempt = 0; attempt < 20 && !authz.contains("policy[" + DENY_NAME + "]"); attempt++) {
                Thread.sleep(500);
                authz = authorization(cluster, pod);
            }
            // notRequestPrincipals: ["*"] is NOT(the verified token's payload has an iss and a sub), read from the
            // metadata only the jwt_authn filter sets, so a request without a token is denied
            assertTrue(authz.contains("policy[" + DENY_NAME + "]") && authz.contains("\"DENY\"") && authz.contains("\"not_id\"")
                    && authz.contains("\"filter\":\"envoy.filters.http.jwt_authn\""), authz);
            assertEquals(List.of(), plan(cluster, STACK_RA, ns), "a live DENY outside the stack requires the token");
        } finally {
            ras.withName(RA_NAME).delete();
            policies.withName(DENY_NAME).delete();
        }
    }

    /**
     * On a Gateway API gateway's pod (made by hand as in {@link TargetRefsIT}: labelled gateway-name, istio-proxy started
     * as {@code proxy router}), a RequestAuthentication selecting it by that label gets its jwt_authn filter, and a live
     * DENY whose targetRefs name the pod's Gateway gets into its RBAC filter: the check counts that policy (it warned
     * before). A DENY whose targetRefs name a Service does not get there, so a RequestAuthentication targeting the
     * Gateway and that Service is warned about for the Gateway's pods (before, the Service policy covered both).
     */
    @Test
    void aPolicyTargetingTheGatewayCoversASelectorRequestAuthenticationOnItsPodsAndOneOnAServiceDoesNot(ClusterContext cluster)
            throws Exception {
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
        String pod = ns + "/" + gateway.getMetadata().getName();
        client.genericKubernetesResources(GATEWAY).inNamespace(ns).resource(GenericObjects.of("networking.istio.io/v1", "Gateway", ns,
                "public-http", Map.of("selector", Map.of(PolicyTarget.GATEWAY_NAME_LABEL, "public"), "servers", List.of(Map.of(
                        "port", Map.of("number", 80, "name", "http", "protocol", "HTTP"), "hosts", List.of("*")))))).create();
        Map<String, Object> selector = Map.of("matchLabels", Map.of(PolicyTarget.GATEWAY_NAME_LABEL, "public"));
        Map<String, Object> toPublic = Map.of("kind", "Gateway", "group", PolicyTarget.GATEWAY_API_GROUP, "name", "public");
        Map<String, Object> toApi = Map.of("kind", "Service", "group", "", "name", "api");
        List<Object> denyTokenless = List.of(Map.of("from", List.of(Map.of("source", Map.of("notRequestPrincipals", List.of("*"))))));
        var policies = client.genericKubernetesResources(AUTHZ).inNamespace(ns);
        ResourceDecl selecting = decl("istio.requestAuthentication.jwt", "namespace: " + ns + "\nname: " + RA_NAME
                + "\nselector: {matchLabels: {" + PolicyTarget.GATEWAY_NAME_LABEL + ": public}}\njwtRules: [{issuer:"
                + " https://tnr.example.com, jwks: '" + JWKS + "'}]\n");
        ResourceDecl targeting = decl("istio.requestAuthentication.jwt", "namespace: " + ns + "\nname: " + RA_NAME
                + "\ntargetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: public}, {group: \"\", kind: Service,"
                + " name: api}]\njwtRules: [{issuer: https://tnr.example.com, jwks: '" + JWKS + "'}]\n");
        client.genericKubernetesResources(REQUEST_AUTHN).inNamespace(ns).resource(GenericObjects.of("security.istio.io/v1",
                "RequestAuthentication", ns, RA_NAME, Map.of("selector", selector,
                        "jwtRules", List.of(Map.of("issuer", "https://tnr.example.com", "jwks", JWKS))))).create();
        policies.resource(GenericObjects.of("security.istio.io/v1", "AuthorizationPolicy", ns, "tnr-on-gateway", Map.of(
                "targetRefs", List.of(toPublic), "action", "DENY", "rules", denyTokenless))).create();
        policies.resource(GenericObjects.of("security.istio.io/v1", "AuthorizationPolicy", ns, "tnr-on-service", Map.of(
                "targetRefs", List.of(toApi), "action", "DENY", "rules", denyTokenless))).create();
        until(cluster, pod, raw -> jwtFilters(raw).toString().contains("https://tnr.example.com"), "the jwt_authn filter");
        String authz = "";
        for (int attempt = 0; attempt < 20 && !authz.contains("policy[tnr-on-gateway]"); attempt++) {
            Thread.sleep(500);
            authz = authorization(cluster, pod);
        }
        assertTrue(authz.contains("policy[tnr-on-gateway]") && authz.contains("\"DENY\""), authz);
        assertFalse(authz.contains("policy[tnr-on-service]"), "a Service target reaches waypoints only: " + authz);

        assertEquals(List.of(), plan(cluster, selecting, ns), "the DENY on the gateway's Gateway requires the token on its pods");
        policies.withName("tnr-on-gateway").delete();
        for (int attempt = 0; attempt < 20 && authz.contains("policy[tnr-on-gateway]"); attempt++) {
            Thread.sleep(500);
            authz = authorization(cluster, pod);
        }
        assertFalse(authz.contains("policy[tnr-on-gateway]"), authz);
        List<Diagnostic> onGateway = plan(cluster, targeting, ns);
        assertEquals(1, onGateway.size(), onGateway.toString());
        assertEquals(Severity.WARNING, onGateway.get(0).severity());
        assertTrue(onGateway.get(0).summary().endsWith("no AuthorizationPolicy requires one on the pods of Gateway " + ns + "/public"),
                onGateway.get(0).summary());
    }

    /**
     * The check at plan, the stack's RequestAuthentication over the live cluster read as the product reads it, with
     * the live AuthorizationPolicies of this test only: those in its namespace {@code ns} and the DENY it puts in
     * istio-system ({@link OwnPolicies}: on a shared test bed, another stack's policy on a gateway label changes the
     * verdict, rightly).
     */
    private static List<Diagnostic> plan(ClusterContext cluster, ResourceDecl stack, String ns) {
        try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", cluster.kubeconfigPath().toString())))) {
            CheckContext ctx = MeshChecksTest.ctx(CheckContext.Purpose.PLAN, Environment.STAGING, stack);
            ClusterView own = OwnPolicies.of(new LiveCluster(kube), ns, java.util.Set.of("istio-system/" + DENY_NAME));
            return TokenNotRequired.findings(new PlannedMesh(ctx, own));
        }
    }

    private static String authorization(ClusterContext cluster, String pod) {
        return proxy(cluster.proxyConfig().probe(List.of(pod), List.of())).path("authorization").toString();
    }

    private static JsonNode proxy(String answer) {
        return JSON.readTree(answer.substring(answer.startsWith("{") ? 0 : answer.indexOf("\n{") + 1)).get("proxies").get(0);
    }

    /** The raw dump of what istiod sent the gateway, once {@code done} holds for it. */
    private static JsonNode until(ClusterContext cluster, String pod, Predicate<JsonNode> done, String what) throws InterruptedException {
        JsonNode last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            last = proxy(cluster.proxyConfig().run(List.of("--pod", pod, "--raw"))).path("raw");
            if (done.test(last)) {
                return last;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("istiod did not push " + what + ": " + jwtFilters(last));
    }

    /** The typed configs of every jwt_authn HTTP filter in the listeners' connection managers. */
    private static List<JsonNode> jwtFilters(JsonNode raw) {
        List<JsonNode> out = new java.util.ArrayList<>();
        raw.path("listeners").forEach(l -> l.path("filter_chains").forEach(fc -> fc.path("filters").forEach(f ->
                f.path("typed_config").path("http_filters").forEach(h -> {
                    if ("envoy.filters.http.jwt_authn".equals(h.path("name").asString())) {
                        out.add(h.path("typed_config"));
                    }
                }))));
        return out;
    }
}

package io.meshform.providers.istio.coverage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import io.meshform.testkit.GenericObjects;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.meshform.providers.DefaultIstio;
import io.meshform.providers.istio.policy.AuthzPolicy;
import io.meshform.providers.istio.policy.GatewayAuthz;
import io.meshform.providers.istio.policy.IngressCoverage;
import io.meshform.providers.istio.policy.PathNormalization;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Point 2 of issue #21: meshform's ingress coverage verdicts agree with the filters the test bed's istiod (Istio's own
 * code) computes for the ingress gateway. For each case (policy set and {@code meshConfig.pathNormalization}), the test
 * writes the mesh config (with the auth proxy as an ext_authz provider) and the AuthorizationPolicies, probes the
 * gateway with {@code proxy-config}, checks that istiod set the HCM's normalization fields as meshform's
 * {@link PathNormalization} says, and evaluates istiod's RBAC and ext_authz filters ({@link EnvoyAuthzFilters}) on every
 * request meshform's {@link IngressCoverage} tries, after that normalization. Envoy does not run here, so Envoy's path
 * normalization itself is meshform's model on both sides; the matchers, the shadow-rule trigger and the filter order are
 * istiod's.
 */
@LiveClusterTest
class IngressCoverageIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final YAMLMapper YAML = YAMLMapper.builder().build();
    static final String PROVIDER = "mf-coverage-auth";
    static final ResourceDefinitionContext AUTHZ = kind("security.istio.io", "AuthorizationPolicy", "authorizationpolicies");
    static final ResourceDefinitionContext GATEWAY = kind("networking.istio.io", "Gateway", "gateways");

    private static ResourceDefinitionContext kind(String group, String kind, String plural) {
        return new ResourceDefinitionContext.Builder().withGroup(group).withVersion("v1").withKind(kind)
                .withPlural(plural).withNamespaced(true).build();
    }

    /** The policies of one case: CUSTOM paths (exact, prefix, suffix, templates, hosts, methods, ports), DENY, ALLOW. */
    static final List<String> PROTECTED = List.of("""
            metadata: {name: cov-custom}
            spec:
              selector: {matchLabels: {istio: ingressgateway}}
              action: CUSTOM
              provider: {name: mf-coverage-auth}
              rules:
                - to: [{operation: {paths: ["/fabric/*", "/api/*", "/exact", "*.secret", "/t/{*}/x", "/deep/{**}"]}}]
                - to: [{operation: {hosts: ["app.example.com"], paths: ["/h/*"]}}]
                - to: [{operation: {methods: ["POST", "DELETE"], paths: ["/m/*"]}}]
                - to: [{operation: {ports: ["8443"], paths: ["/p/*"]}}]
            """, """
            metadata: {name: cov-deny}
            spec:
              selector: {matchLabels: {istio: ingressgateway}}
              action: DENY
              rules: [{to: [{operation: {paths: ["/fabric", "/api/%2F*"]}}]}]
            """);

    static final List<String> EXEMPT = List.of("""
            metadata: {name: cov-custom}
            spec:
              selector: {matchLabels: {istio: ingressgateway}}
              action: CUSTOM
              provider: {name: mf-coverage-auth}
              rules: [{to: [{operation: {notPaths: ["/api/health", "/static/*", "*.css"], notMethods: ["OPTIONS"]}}]}]
            """, """
            metadata: {name: cov-allow}
            spec:
              selector: {matchLabels: {istio: ingressgateway}}
              action: ALLOW
              rules: [{to: [{operation: {methods: ["GET", "HEAD", "POST", "OPTIONS"], notPaths: ["/internal/*"]}}]}]
            """);

    /** A CUSTOM policy whose provider the mesh config lacks: istiod turns its rules into DENY rules. */
    static final List<String> MISSING_PROVIDER = List.of("""
            metadata: {name: cov-custom-missing}
            spec:
              selector: {matchLabels: {istio: ingressgateway}}
              action: CUSTOM
              provider: {name: mf-coverage-missing}
              rules: [{to: [{operation: {paths: ["/api/*"]}}]}]
            """);

    /**
     * The protected paths' CUSTOM policy beside a CUSTOM policy of another declared provider: istiod allows one provider
     * per workload (PILOT_ENABLE_MULTIPLE_CUSTOM_AUTHZ_PROVIDERS off) and denies what every CUSTOM rule matches, asking
     * neither auth proxy (builder.go buildHTTP), as the check's mixed-provider warning says.
     */
    static final String OTHER_PROVIDER = "mf-coverage-other";
    static final List<String> TWO_PROVIDERS = List.of(PROTECTED.get(0), """
            metadata: {name: cov-custom-other}
            spec:
              selector: {matchLabels: {istio: ingressgateway}}
              action: CUSTOM
              provider: {name: mf-coverage-other}
              rules: [{to: [{operation: {paths: ["/other/*"]}}]}]
            """);

    record Case(String name, List<String> policies, PathNormalization mode, List<IngressCoverage.Expectation> expected) {
    }

    @Test
    void meshformsVerdictsAgreeWithTheFiltersIstiodBuildsForTheGateway(ClusterContext cluster) throws Exception {
        DefaultIstio.ensure(cluster);
        var client = cluster.client();
        Pod gateway = client.pods().inNamespace("istio-system").withLabel("istio", "ingressgateway").list().getItems().stream()
                .findFirst().orElseThrow(() -> new AssertionError("the default profile's ingress gateway pod is missing"));
        String ns = cluster.newNamespace();
        client.services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName("auth").endMetadata()
                .withNewSpec().addToSelector("app", "auth").addNewPort().withName("http").withPort(8000).endPort().endSpec()
                .build()).create();
        GenericKubernetesResource gw = GenericObjects.of("networking.istio.io/v1", "Gateway", ns, "cov-gateway", Map.of(
                "selector", Map.of("istio", "ingressgateway"),
                "servers", List.of(Map.of("port", Map.of("number", 80, "name", "http", "protocol", "HTTP"), "hosts", List.of("*")))));
        client.genericKubernetesResources(GATEWAY).inNamespace(ns).resource(gw).create();

        ConfigMap mesh = client.configMaps().inNamespace("istio-system").withName("istio").get();
        String original = mesh.getData().get("mesh");
        // Policies other tests or runs left on the gateway (the examples' CUSTOM policy, say) would add their provider
        // and rules to every case: moved aside for the test and put back after it.
        List<GenericKubernetesResource> aside = client.genericKubernetesResources(AUTHZ).inNamespace("istio-system").list().getItems()
                .stream().filter(p -> !"coverage".equals(p.getMetadata().getLabels() == null ? null
                        : p.getMetadata().getLabels().get("meshform-test"))).toList();
        for (GenericKubernetesResource p : aside) {
            client.genericKubernetesResources(AUTHZ).inNamespace("istio-system").withName(p.getMetadata().getName()).delete();
        }
        List<Case> cases = List.of(
                new Case("protected paths, BASE", PROTECTED, PathNormalization.BASE, List.of()),
                new Case("protected paths, NONE", PROTECTED, PathNormalization.NONE, List.of()),
                new Case("protected paths, MERGE_SLASHES", PROTECTED, PathNormalization.MERGE_SLASHES, List.of()),
                new Case("protected paths, DECODE_AND_MERGE_SLASHES", PROTECTED, PathNormalization.DECODE_AND_MERGE_SLASHES, List.of()),
                new Case("public paths exempt, NONE", EXEMPT, PathNormalization.NONE, List.of(
                        new IngressCoverage.Expectation("/admin/*", true, 0), new IngressCoverage.Expectation("/api/health", false, 0))),
                new Case("undeclared provider, BASE", MISSING_PROVIDER, PathNormalization.BASE, List.of()),
                new Case("a second provider's CUSTOM policy, BASE", TWO_PROVIDERS, PathNormalization.BASE, List.of()),
                new Case("public paths exempt, MERGE_SLASHES", EXEMPT, PathNormalization.MERGE_SLASHES, List.of(
                        new IngressCoverage.Expectation("/admin/*", true, 0), new IngressCoverage.Expectation("/internal/x", true, 0))));
        int total = 0;
        int agree = 0;
        int bypasses = 0;
        List<String> disagreements = new ArrayList<>();
        Map<String, Integer> outcomes = new java.util.TreeMap<>();
        try {
            for (Case c : cases) {
                ObjectNode m = (ObjectNode) (original == null || original.isBlank() ? YAML.createObjectNode() : YAML.readTree(original));
                m.putObject("pathNormalization").put("normalization", c.mode().name());
                var providers = m.putArray("extensionProviders");
                for (String name : List.of(PROVIDER, OTHER_PROVIDER)) {
                    providers.addObject().put("name", name).putObject("envoyExtAuthzHttp")
                            .put("service", "auth." + ns + ".svc.cluster.local").put("port", 8000);
                }
                client.configMaps().inNamespace("istio-system").withName("istio")
                        .edit(cm -> { cm.getData().put("mesh", YAML.writeValueAsString(m)); return cm; });
                List<AuthzPolicy> model = new ArrayList<>();
                client.genericKubernetesResources(AUTHZ).inNamespace("istio-system").withLabel("meshform-test", "coverage").delete();
                for (String y : c.policies()) {
                    ObjectNode o = (ObjectNode) YAML.readTree(y);
                    o.put("apiVersion", "security.istio.io/v1").put("kind", "AuthorizationPolicy");
                    ((ObjectNode) o.get("metadata")).put("namespace", "istio-system").putObject("labels").put("meshform-test", "coverage");
                    client.genericKubernetesResources(AUTHZ).inNamespace("istio-system")
                            .resource(JSON.convertValue(o, GenericKubernetesResource.class)).create();
                    model.add(AuthzPolicy.of(o));
                }
                JsonNode chain = httpChain(cluster, gateway, c);
                JsonNode norm = chain.get("pathNormalization");
                assertEquals(java.util.Optional.of(c.mode()), PathNormalization.ofHcm(norm.path("normalizePath").asBoolean(),
                        norm.path("mergeSlashes").asBoolean(), norm.path("pathWithEscapedSlashesAction").asString(null)),
                        c.name() + ": istiod's HCM normalization " + norm);
                GatewayAuthz authz = new GatewayAuthz(model, c.mode(), p -> p.equals(PROVIDER) || p.equals(OTHER_PROVIDER));
                IngressCoverage.Report report = IngressCoverage.of(authz, c.expected());
                for (IngressCoverage.Row row : report.rows()) {
                    total++;
                    var r = row.request();
                    var normalized = c.mode().apply(r.path());
                    String envoy = normalized.isEmpty() ? "REJECTED" : EnvoyAuthzFilters.evaluate(chain.get("filters"),
                            new EnvoyAuthzFilters.Request(r.method(), r.host(), normalized.get(), r.port())).name();
                    outcomes.merge(envoy, 1, Integer::sum);
                    if (envoy.equals(row.verdict().outcome().name())) {
                        agree++;
                    } else {
                        disagreements.add(c.name() + ": " + r + " meshform " + row.verdict().outcome() + ", istiod's filters " + envoy);
                    }
                }
                bypasses += report.bypasses().size();
                assertFalse(report.rows().isEmpty());
            }
        } finally {
            client.genericKubernetesResources(AUTHZ).inNamespace("istio-system").withLabel("meshform-test", "coverage").delete();
            for (GenericKubernetesResource p : aside) {
                p.getMetadata().setResourceVersion(null);
                p.getMetadata().setUid(null);
                p.getMetadata().setCreationTimestamp(null);
                p.getMetadata().setManagedFields(null);
                p.getMetadata().setGeneration(null);
                client.genericKubernetesResources(AUTHZ).inNamespace("istio-system").resource(p).create();
            }
            client.configMaps().inNamespace("istio-system").withName("istio").edit(cm -> {
                cm.getData().put("mesh", original);
                return cm;
            });
        }
        System.out.println("ingress coverage against istiod: " + total + " cases, " + agree + " agree (" + bypasses
                + " bypasses found), " + cases.size() + " policy sets and normalization modes; istiod's filters: " + outcomes);
        assertEquals(List.of(), disagreements);
        assertEquals(total, agree);
        assertTrue(total > 100, "cases: " + total);
        assertTrue(bypasses > 0, "the protected-paths cases must find bypasses");
        for (String o : List.of("AUTH_PROXY", "DENIED", "LET_THROUGH")) {
            assertTrue(outcomes.getOrDefault(o, 0) > 0, "every outcome occurs: " + outcomes);
        }
    }

    /** The gateway's HTTP chain on port 8080 once istiod has pushed the case's policies (the CUSTOM filters in it). */
    private static JsonNode httpChain(ClusterContext cluster, Pod gateway, Case c) throws InterruptedException {
        String pod = gateway.getMetadata().getNamespace() + "/" + gateway.getMetadata().getName();
        JsonNode last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            JsonNode doc = JSON.readTree(cluster.proxyConfig().probe(List.of(pod), List.of()));
            JsonNode proxy = doc.get("proxies").get(0);
            assertEquals("router", proxy.get("nodeType").asString(), "the gateway is probed as a router");
            for (JsonNode a : proxy.path("authorization")) {
                last = a;
                String filters = a.path("filters").toString();
                boolean mode = PathNormalization.ofHcm(a.path("pathNormalization").path("normalizePath").asBoolean(),
                        a.path("pathNormalization").path("mergeSlashes").asBoolean(),
                        a.path("pathNormalization").path("pathWithEscapedSlashesAction").asString(null))
                        .equals(java.util.Optional.of(c.mode()));
                java.util.Set<String> want = new java.util.TreeSet<>();
                c.policies().forEach(y -> want.add(YAML.readTree(y).path("metadata").path("name").asString()));
                java.util.Set<String> have = new java.util.TreeSet<>();
                java.util.regex.Matcher names = java.util.regex.Pattern.compile("policy\\[([^\\]]+)]").matcher(filters);
                while (names.find()) {
                    have.add(names.group(1));
                }
                boolean policies = want.equals(have);
                if (a.path("listener").asString().endsWith("_8080") && mode && policies) {
                    return a;
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError(c.name() + ": istiod did not push the case's filters to the gateway; last chain: " + last);
    }
}

package io.meshform.providers.istio.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.providers.istio.policy.GatewayAuthz.Outcome;
import io.meshform.providers.istio.policy.GatewayAuthz.Request;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The coverage model on the cases Istio's fact sheet derives (docs: istio-semantics section 5, "Bypass variants
 * against paths: [/api/*]"), and Envoy's normalization modes.
 */
class IngressCoverageTest {
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    static AuthzPolicy policy(String yaml) {
        return AuthzPolicy.of(YAML.readTree(yaml));
    }

    static final AuthzPolicy PROTECTED_PREFIXES = policy("""
            metadata: {namespace: istio-system, name: ingress-auth}
            spec:
              selector: {matchLabels: {istio: ingressgateway}}
              action: CUSTOM
              provider: {name: auth}
              rules: [{to: [{operation: {paths: ["/fabric/*", "/api/*"]}}]}]
            """);

    static final AuthzPolicy PUBLIC_EXEMPT = policy("""
            metadata: {namespace: istio-system, name: ingress-auth}
            spec:
              selector: {matchLabels: {istio: ingressgateway}}
              action: CUSTOM
              provider: {name: auth}
              rules: [{to: [{operation: {notPaths: ["/api/health", "/static/*"]}}]}]
            """);

    static Outcome outcome(GatewayAuthz a, String path) {
        return a.evaluate(new Request("GET", "example.com", path, GatewayAuthz.DEFAULT_PORT)).outcome();
    }

    @Test
    void theFactSheetsBypassTableAgainstApiStar() {
        Map<String, List<Boolean>> expected = new TreeMap<>(Map.of(
                // NONE, BASE, MERGE_SLASHES, DECODE_AND_MERGE_SLASHES: goes to the auth proxy?
                "/api", List.of(false, false, false, false),
                "//api/x", List.of(false, false, true, true),
                "/api%2Fx", List.of(false, false, false, true),
                "/x/../api/y", List.of(false, true, true, true),
                "/%61pi/x", List.of(false, true, true, true),
                "/API/x", List.of(false, false, false, false),
                "/api/x?q", List.of(true, true, true, true)));
        expected.forEach((path, want) -> {
            for (PathNormalization m : PathNormalization.values()) {
                GatewayAuthz a = new GatewayAuthz(List.of(PROTECTED_PREFIXES), m, p -> true);
                assertEquals(want.get(m.ordinal()) ? Outcome.AUTH_PROXY : Outcome.LET_THROUGH, outcome(a, path), path + " under " + m);
            }
        });
    }

    @Test
    void normalizationFollowsEnvoysOrder() {
        assertEquals(Optional.of("/a/%2F%2f/c"), PathNormalization.BASE.apply("/a/%2F%2f/c"), "%2F is kept");
        assertEquals(Optional.of("/c"), PathNormalization.BASE.apply("/a/..\\c"), "a backslash is a separator");
        assertEquals(Optional.empty(), PathNormalization.BASE.apply("/a%00b"), "%00 is refused");
        assertEquals(Optional.of("/a/b?x=//y"), PathNormalization.MERGE_SLASHES.apply("//a//b?x=//y"), "the query keeps its slashes");
        assertEquals(Optional.of("/a/b/c"), PathNormalization.DECODE_AND_MERGE_SLASHES.apply("/a%2F%2fb/%5Cc"));
        assertEquals(Optional.of("/x/../a"), PathNormalization.NONE.apply("/x/../a"));
        assertEquals(PathNormalization.BASE, PathNormalization.of(null));
        assertEquals(PathNormalization.BASE, PathNormalization.of("DEFAULT"));
    }

    @Test
    void istiosMatchersForPathsHostsAndMethods() {
        assertTrue(StringMatch.path("/api/*").matches("/api/"));
        assertTrue(!StringMatch.path("/api/*").matches("/api"));
        assertTrue(StringMatch.path("*").matches("/"));
        assertTrue(StringMatch.path("*.css").matches("/x/y.css"));
        assertTrue(StringMatch.path("/a*b").matches("/a*b") && !StringMatch.path("/a*b").matches("/axb"), "a * in the middle is literal");
        assertTrue(StringMatch.path("/api/{*}/x").matches("/api/v1/x") && !StringMatch.path("/api/{*}/x").matches("/api/v1/v2/x"));
        assertTrue(StringMatch.path("/api/{**}").matches("/api/a/b") && StringMatch.path("/api/{**}").matches("/api/")
                && !StringMatch.path("/api/{**}").matches("/api"));
        assertTrue(StringMatch.host("Example.com").matches("EXAMPLE.com") && !StringMatch.host("example.com").matches("example.com:443"));
        assertTrue(!StringMatch.method("GET").matches("get"));
    }

    @Test
    void protectedPrefixesLeakTheFactSheetsVariants() {
        GatewayAuthz a = new GatewayAuthz(List.of(PROTECTED_PREFIXES), PathNormalization.BASE, p -> true);
        IngressCoverage.Report r = IngressCoverage.of(a, List.of());
        List<String> leaked = r.bypasses().stream().map(x -> x.request().path()).toList();
        assertTrue(leaked.containsAll(List.of("/fabric", "//api/x", "/API/x", "/api%2Fx", "/api")), leaked.toString());
        assertTrue(!leaked.contains("/x/../api/x") && !leaked.contains("/api/x?x=1"), leaked.toString());
    }

    @Test
    void exemptingThePublicPathsLeavesOnlyThePathParameterClimbUnderMergeSlashesButNoneLetsAClimbOutOfAPublicPrefixThrough() {
        GatewayAuthz merge = new GatewayAuthz(List.of(PUBLIC_EXEMPT), PathNormalization.MERGE_SLASHES, p -> true);
        var expect = List.of(new IngressCoverage.Expectation("/api/health", false, 0), new IngressCoverage.Expectation("/admin/*", true, 0));
        IngressCoverage.Report r = IngressCoverage.of(merge, expect);
        assertEquals(List.of("/static/..;/app/x", "/static/..;/admin/x"),
                r.rows().stream().filter(IngressCoverage.Row::wrong).map(x -> x.request().path()).toList());
        GatewayAuthz none = new GatewayAuthz(List.of(PUBLIC_EXEMPT), PathNormalization.NONE, p -> true);
        List<String> leaked = IngressCoverage.of(none, expect).bypasses().stream().map(x -> x.request().path()).toList();
        assertTrue(leaked.contains("/static/../admin/x"), leaked.toString());
    }

    /**
     * /static/..;/admin/x: Envoy keeps the ..; segment in every mode, so the /static/* exemption matches and the auth
     * proxy is skipped, while Tomcat strips ";" and serves /admin/x. Exact public paths leave nothing to climb out of.
     */
    @Test
    void aPathParameterClimbsOutOfAPublicPrefixInEveryModeButNotOutOfAnExactPublicPath() {
        var expect = List.of(new IngressCoverage.Expectation("/admin/*", true, 0));
        for (PathNormalization mode : PathNormalization.values()) {
            GatewayAuthz a = new GatewayAuthz(List.of(PUBLIC_EXEMPT), mode, p -> true);
            IngressCoverage.Row row = IngressCoverage.of(a, expect).bypasses().stream()
                    .filter(x -> x.request().path().equals("/static/..;/admin/x")).findFirst().orElseThrow();
            assertEquals("climbing out of public /static/ by a ..; segment (Tomcat reads it as ..) of /admin/x", row.variant());
            assertEquals("/static/..;/admin/x", row.verdict().seenPath(), mode.name());
            assertTrue(PathVariants.climbsByParameter(row.request().path()));
        }
        AuthzPolicy exact = policy("""
                metadata: {namespace: istio-system, name: ingress-auth}
                spec:
                  selector: {matchLabels: {istio: ingressgateway}}
                  action: CUSTOM
                  provider: {name: auth}
                  rules: [{to: [{operation: {notPaths: ["/api/health", "/static/app.js"]}}]}]
                """);
        IngressCoverage.Report r = IngressCoverage.of(new GatewayAuthz(List.of(exact), PathNormalization.MERGE_SLASHES, p -> true), expect);
        assertTrue(r.rows().stream().noneMatch(x -> x.request().path().contains("..;")), r.rows().toString());
        assertEquals(List.of(), r.bypasses());
        assertEquals(Outcome.AUTH_PROXY, outcome(new GatewayAuthz(List.of(exact), PathNormalization.MERGE_SLASHES, p -> true),
                "/api/health/..;/admin/x"), "an exact notPaths does not match a longer path");
    }

    @Test
    void denyThenAllowAndAnUnusableProvider() {
        AuthzPolicy deny = policy("""
                metadata: {namespace: istio-system, name: deny-admin}
                spec: {action: DENY, rules: [{to: [{operation: {paths: ["/fabric"]}}]}]}
                """);
        AuthzPolicy allow = policy("""
                metadata: {namespace: istio-system, name: allow-some}
                spec: {selector: {matchLabels: {istio: ingressgateway}}, rules: [{to: [{operation: {methods: ["GET"]}}]}]}
                """);
        GatewayAuthz a = new GatewayAuthz(List.of(PROTECTED_PREFIXES, deny, allow), PathNormalization.BASE, p -> true);
        assertEquals(Outcome.DENIED, outcome(a, "/fabric"));
        assertEquals(Outcome.LET_THROUGH, outcome(a, "/API/x"));
        assertEquals(Outcome.AUTH_PROXY, outcome(a, "/api/x"));
        assertEquals(Outcome.DENIED, a.evaluate(new Request("POST", "example.com", "/API/x", 8080)).outcome(), "no ALLOW rule matches POST");
        GatewayAuthz bad = new GatewayAuthz(List.of(PROTECTED_PREFIXES), PathNormalization.BASE, p -> false);
        assertEquals(Outcome.DENIED, outcome(bad, "/api/x"), "a provider istiod refuses: its rules deny");
        assertTrue(PolicyAttachment.attaches(deny, "istio-system", Map.of("istio", "ingressgateway"), "istio-system"));
        assertTrue(!PolicyAttachment.attaches(allow, "other", Map.of("istio", "ingressgateway"), "root"));
    }
    static final AuthzPolicy DENY_ADMIN_DRY_RUN = policy("""
            metadata: {namespace: istio-system, name: deny-admin, annotations: {istio.io/dry-run: "true"}}
            spec: {action: DENY, rules: [{to: [{operation: {paths: ["/admin/*"]}}]}]}
            """);

    @Test
    void aDryRunDenyPolicyIsOnlyLogged() {
        assertTrue(DENY_ADMIN_DRY_RUN.dryRun());
        GatewayAuthz a = new GatewayAuthz(List.of(PROTECTED_PREFIXES, DENY_ADMIN_DRY_RUN), PathNormalization.BASE, p -> true);
        var v = a.evaluate(new Request("GET", "example.com", "/admin/x", GatewayAuthz.DEFAULT_PORT));
        assertEquals(Outcome.LET_THROUGH, v.outcome(), v.reason());
        assertTrue(v.reason().contains("DENY istio-system/deny-admin rule 0 matches, but the policy is dry-run, so it is only logged"
                + " (istio.io/dry-run)"), v.reason());
        var bypasses = IngressCoverage.of(a, List.of(new IngressCoverage.Expectation("/admin/*", true, 0))).bypasses();
        assertTrue(bypasses.stream().anyMatch(r -> r.request().path().equals("/admin/x")), bypasses.toString());
    }

    @Test
    void aDryRunAllowPolicyAloneMakesNoAllowFilter() {
        AuthzPolicy allow = policy("""
                metadata: {namespace: istio-system, name: allow-get, annotations: {istio.io/dry-run: "True"}}
                spec: {rules: [{to: [{operation: {methods: ["GET"]}}]}]}
                """);
        GatewayAuthz a = new GatewayAuthz(List.of(PROTECTED_PREFIXES, allow), PathNormalization.BASE, p -> true);
        var v = a.evaluate(new Request("POST", "example.com", "/other", GatewayAuthz.DEFAULT_PORT));
        assertEquals(Outcome.LET_THROUGH, v.outcome(), "no enforced ALLOW policy, so no ALLOW filter: " + v.reason());
        assertTrue(v.reason().contains("dry-run ALLOW istio-system/allow-get is only logged, so there is no ALLOW filter"), v.reason());
        AuthzPolicy enforced = policy("""
                metadata: {namespace: istio-system, name: allow-health}
                spec: {rules: [{to: [{operation: {paths: ["/health"]}}]}]}
                """);
        GatewayAuthz both = new GatewayAuthz(List.of(PROTECTED_PREFIXES, allow, enforced), PathNormalization.BASE, p -> true);
        var w = both.evaluate(new Request("GET", "example.com", "/other", GatewayAuthz.DEFAULT_PORT));
        assertEquals(Outcome.DENIED, w.outcome(), "only the enforced ALLOW policy counts: " + w.reason());
        assertTrue(w.reason().contains("no ALLOW rule matches (istio-system/allow-health); dry-run ALLOW istio-system/allow-get"
                + " would allow it but is only logged"), w.reason());
    }

    @Test
    void aDryRunCustomPolicyDeniesWhatItMatchesUnlessItsProviderIsUnusable() {
        AuthzPolicy dryRun = policy("""
                metadata: {namespace: istio-system, name: trial, annotations: {istio.io/dry-run: "1"}}
                spec:
                  selector: {matchLabels: {istio: ingressgateway}}
                  action: CUSTOM
                  provider: {name: auth}
                  rules: [{to: [{operation: {paths: ["/admin/*", "/api/x"]}}]}]
                """);
        GatewayAuthz a = new GatewayAuthz(List.of(PROTECTED_PREFIXES, dryRun), PathNormalization.BASE, p -> true);
        var v = a.evaluate(new Request("GET", "example.com", "/admin/x", GatewayAuthz.DEFAULT_PORT));
        assertEquals(Outcome.DENIED, v.outcome(), v.reason());
        assertTrue(v.reason().contains("CUSTOM istio-system/trial rule 0: the policy is dry-run"), v.reason());
        assertEquals(Outcome.DENIED, outcome(a, "/api/x"), "the dry-run rules deny in the RBAC filter, ahead of ext_authz");
        assertEquals(Outcome.AUTH_PROXY, outcome(a, "/api/y"));
        GatewayAuthz bad = new GatewayAuthz(List.of(dryRun), PathNormalization.BASE, p -> false);
        assertEquals(Outcome.LET_THROUGH, outcome(bad, "/admin/x"), "istiod's deny rules for a refused provider leave dry-run rules out");
    }

    @Test
    void anAnnotationGoDoesNotParseAsABoolIsNotDryRun() {
        for (String v : List.of("1", "t", "T", "TRUE", "true", "True")) {
            assertTrue(policy("metadata: {name: p, annotations: {istio.io/dry-run: \"" + v + "\"}}\nspec: {}\n").dryRun(), v);
        }
        for (String v : List.of("0", "false", "yes", "on", "tRUE", " true", "")) {
            AuthzPolicy deny = policy("metadata: {namespace: istio-system, name: deny-admin, annotations: {istio.io/dry-run: \"" + v
                    + "\"}}\nspec: {action: DENY, rules: [{to: [{operation: {paths: [\"/admin/*\"]}}]}]}\n");
            assertTrue(!deny.dryRun(), v);
            assertEquals(Outcome.DENIED, outcome(new GatewayAuthz(List.of(PROTECTED_PREFIXES, deny), PathNormalization.BASE, p -> true),
                    "/admin/x"), "istiod logs an error and enforces the policy: " + v);
        }
        assertTrue(!policy("metadata: {name: p}\nspec: {}\n").dryRun());
    }

    static final AuthzPolicy SKIP_AUTH_HEADER = policy("""
            metadata: {namespace: istio-system, name: ingress-auth}
            spec:
              selector: {matchLabels: {istio: ingressgateway}}
              action: CUSTOM
              provider: {name: auth}
              rules:
                - to: [{operation: {notPaths: ["/api/health"]}}]
                  when: [{key: "request.headers[x-skip-auth]", notValues: ["yes"]}]
            """);

    @Test
    void aConditionalCustomRuleIsSampledWithItsConditionsNotHolding() {
        GatewayAuthz a = new GatewayAuthz(List.of(SKIP_AUTH_HEADER), PathNormalization.BASE, p -> true);
        IngressCoverage.Report r = IngressCoverage.of(a, List.of());
        assertTrue(!r.rows().isEmpty(), "the conditional rule's paths are checked");
        List<String> leaked = r.bypasses().stream().map(x -> x.request().path()).toList();
        assertTrue(leaked.containsAll(List.of("/", "/app/x")), leaked.toString());
        IngressCoverage.Row row = r.bypasses().get(0);
        assertTrue(row.variant().endsWith("when rule 0's when/from does not hold: header x-skip-auth is yes"), row.variant());
        assertTrue(row.verdict().reason().startsWith("let through when rule 0's when/from does not hold: header x-skip-auth is yes;"),
                row.verdict().reason());
        assertEquals("/rules/0/to/0/operation", row.pointer());
    }

    @Test
    void aConditionalRuleBackedByAnUnconditionalOneLeavesNoBypass() {
        AuthzPolicy both = policy("""
                metadata: {namespace: istio-system, name: ingress-auth}
                spec:
                  selector: {matchLabels: {istio: ingressgateway}}
                  action: CUSTOM
                  provider: {name: auth}
                  rules:
                    - to: [{operation: {paths: ["/admin/*"]}}]
                      from: [{source: {ipBlocks: ["10.0.0.0/8"]}}, {source: {notRequestPrincipals: ["*"]}}]
                    - to: [{operation: {notPaths: ["/api/health"]}}]
                """);
        GatewayAuthz a = new GatewayAuthz(List.of(both), PathNormalization.BASE, p -> true);
        IngressCoverage.Report r = IngressCoverage.of(a, List.of());
        assertEquals(List.of(), r.bypasses());
        IngressCoverage.Row admin = r.rows().stream().filter(x -> x.request().path().equals("/admin/x")).findFirst().orElseThrow();
        assertEquals(Outcome.AUTH_PROXY, admin.verdict().outcome());
        assertTrue(admin.variant().endsWith("when rule 0's when/from does not hold: no from source matches (the source IP is not"
                + " 10.0.0.0/8; the request principal is *)"), admin.variant());
        assertTrue(r.rows().get(0).variant().equals("as written of /"), "the unconditional rule's samples come first: " + r.rows());
    }

    @Test
    void whichConditionsAClientControlsOnAGateway() {
        AuthzPolicy p = policy("""
                metadata: {namespace: istio-system, name: conds}
                spec:
                  action: CUSTOM
                  provider: {name: auth}
                  rules:
                    - when:
                        - {key: "request.headers[x-a]", values: ["1"]}
                        - {key: "request.headers[x-b]", notValues: ["1"]}
                        - {key: remote.ip, notValues: ["10.0.0.0/8"]}
                        - {key: connection.sni, values: ["a.example.com"]}
                        - {key: "request.auth.claims[groups]", values: ["staff"]}
                        - {key: "request.auth.claims[groups]", notValues: ["admin"]}
                        - {key: source.ip, notValues: ["10.0.0.0/8"]}
                        - {key: destination.port, values: ["8080"]}
                        - {key: source.namespace, values: ["cortex"]}
                      from:
                        - source:
                            remoteIpBlocks: ["1.2.3.4"]
                            ipBlocks: ["10.0.0.0/8"]
                            principals: ["cluster.local/ns/a/sa/b"]
                            notPrincipals: ["cluster.local/ns/a/sa/c"]
                            requestPrincipals: ["*"]
                            notRequestPrincipals: ["issuer/sub"]
                """);
        Map<String, Boolean> got = new java.util.LinkedHashMap<>();
        for (AuthzPolicy.Condition c : p.rules().get(0).conditions()) {
            got.put(c.field() + " " + c.key() + " " + c.values() + c.notValues(), ClientControlled.why(c) != null);
        }
        Map<String, Boolean> want = new java.util.LinkedHashMap<>();
        want.put("when request.headers[x-a] [1][]", true);
        want.put("when request.headers[x-b] [][1]", true);
        want.put("when remote.ip [][10.0.0.0/8]", true);
        want.put("when connection.sni [a.example.com][]", true);
        want.put("when request.auth.claims[groups] [staff][]", true);
        want.put("when request.auth.claims[groups] [][admin]", false);
        want.put("when source.ip [][10.0.0.0/8]", false);
        want.put("when destination.port [8080][]", false);
        want.put("when source.namespace [cortex][]", true);
        want.put("ipBlocks source.ip [10.0.0.0/8][]", false);
        want.put("remoteIpBlocks remote.ip [1.2.3.4][]", true);
        want.put("requestPrincipals request.auth.principal [*][]", true);
        want.put("notRequestPrincipals request.auth.principal [][issuer/sub]", false);
        want.put("principals source.principal [cluster.local/ns/a/sa/b][]", true);
        want.put("notPrincipals source.principal [][cluster.local/ns/a/sa/c]", false);
        assertEquals(new TreeMap<>(want), new TreeMap<>(got));
        assertEquals("/rules/0/from/0/source/remoteIpBlocks", p.rules().get(0).from().get(0).get(1).pointer());
        assertEquals("/rules/0/when/1", p.rules().get(0).when().get(1).pointer());
        assertEquals("header x-a is absent or not 1", p.rules().get(0).when().get(0).failing());
    }
}

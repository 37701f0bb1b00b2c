package io.meshform.providers.istio.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.providers.istio.policy.GatewayAuthz.Outcome;
import io.meshform.providers.istio.policy.GatewayAuthz.Request;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * A {@code from} source that sets no field matches every caller: istiod makes it a principal of {@code any: true}
 * (pilot/pkg/security/authz/model/model.go, {@code New} and {@code generatePrincipal}), so the rule is no more
 * conditional than one without {@code from}. It was counted as conditional, so ingress coverage took a CUSTOM rule over
 * {@code /api/*} for one a caller escapes. Istio's validation refuses such a source (AuthzEmptySourceIT): a live policy
 * has one only if it was stored while validation was off.
 */
class AuthzEmptySourceTest {
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    private static AuthzPolicy policy(String action, String rule) {
        return AuthzPolicy.of(YAML.readTree("""
                metadata: {namespace: istio-system, name: p}
                spec:
                  selector: {matchLabels: {istio: ingressgateway}}
                  action: %s
                  provider: {name: auth}
                  rules: [%s]
                """.formatted(action, rule)));
    }

    @Test
    void anEmptySourceMatchesEveryCaller() {
        for (String from : List.of("[{source: {}}]", "[{}]", "[{source: {principals: []}}]",
                "[{source: {namespaces: [shop]}}, {source: {}}]")) {
            AuthzPolicy p = policy("DENY", "{from: " + from + ", to: [{operation: {paths: [\"/admin\"]}}]}");
            AuthzPolicy.Rule r = p.rules().get(0);
            assertFalse(r.conditional(), from);
            assertNull(r.unless(), from);
            assertNotNull(p.match("GET", "shop.example.com", "/admin", 80, false), "denied to everyone: " + from);
        }
    }

    @Test
    void aSourceThatNamesSomeoneStaysConditional() {
        for (String from : List.of("[{source: {notPrincipals: [a/b]}}]", "[{source: {namespaces: [shop]}}]")) {
            AuthzPolicy p = policy("DENY", "{from: " + from + ", to: [{operation: {paths: [\"/admin\"]}}]}");
            assertTrue(p.rules().get(0).conditional(), from);
            assertNull(p.match("GET", "shop.example.com", "/admin", 80, false), from);
        }
    }

    @Test
    void aWhenBesideAnEmptySourceIsTheOnlyWayOut() {
        AuthzPolicy.Rule r = policy("CUSTOM", "{from: [{source: {}}, {source: {principals: [a/b]}}],"
                + " when: [{key: \"request.headers[x-skip]\", values: [\"1\"]}]}").rules().get(0);
        assertTrue(r.conditional());
        assertEquals("header x-skip is absent or not 1", r.unless());
    }

    @Test
    void ingressCoverageSendsEveryRequestOfACustomRuleWithAnEmptySourceToTheAuthProxy() {
        AuthzPolicy p = policy("CUSTOM", "{from: [{source: {}}], to: [{operation: {paths: [\"/api/*\"]}}]}");
        GatewayAuthz a = new GatewayAuthz(List.of(p), PathNormalization.BASE, x -> true);
        assertEquals(Outcome.AUTH_PROXY, a.evaluate(new Request("GET", "example.com", "/api/x", GatewayAuthz.DEFAULT_PORT))
                .outcome());
    }
}

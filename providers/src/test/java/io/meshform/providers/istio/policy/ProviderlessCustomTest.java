package io.meshform.providers.istio.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A CUSTOM policy without a provider, which Istio's validation refuses, sends nothing to an auth proxy: its paths are
 * let through, and the reason says the provider is missing, not that no CUSTOM rule matches a path the rule names.
 */
class ProviderlessCustomTest {

    @Test
    void aMatchingRuleWithoutAProviderIsNamedAsSuch() {
        AuthzPolicy noProvider = IngressCoverageTest.policy("""
                metadata: {namespace: istio-system, name: ingress-auth}
                spec:
                  selector: {matchLabels: {istio: ingressgateway}}
                  action: CUSTOM
                  rules: [{to: [{operation: {paths: ["/a"]}}]}]
                """);
        GatewayAuthz.Verdict v = new GatewayAuthz(List.of(noProvider), PathNormalization.BASE, p -> true)
                .evaluate(new GatewayAuthz.Request("GET", "example.com", "/a", GatewayAuthz.DEFAULT_PORT));
        assertEquals(GatewayAuthz.Outcome.LET_THROUGH, v.outcome());
        assertFalse(v.reason().contains("no CUSTOM rule matches"), v.reason());
        assertTrue(v.reason().contains("names no provider"), v.reason());
    }

    @Test
    void aPathNoRuleNamesStillSaysSo() {
        AuthzPolicy noProvider = IngressCoverageTest.policy("""
                metadata: {namespace: istio-system, name: ingress-auth}
                spec:
                  action: CUSTOM
                  rules: [{to: [{operation: {paths: ["/a"]}}]}]
                """);
        GatewayAuthz.Verdict v = new GatewayAuthz(List.of(noProvider), PathNormalization.BASE, p -> true)
                .evaluate(new GatewayAuthz.Request("GET", "example.com", "/b", GatewayAuthz.DEFAULT_PORT));
        assertEquals("no CUSTOM rule matches /b", v.reason());
    }
}

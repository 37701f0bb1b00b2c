package io.meshform.providers.istio.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Ingress coverage tries the requests clients send: methods upper case, since istiod matches {@code :method}
 * case-sensitively (methodGenerator, pilot/pkg/security/authz/model/generator.go).
 */
class MethodCaseCoverageTest {

    @Test
    void aLowerCaseMethodIsTriedAsClientsSendItAndLeaks() {
        AuthzPolicy lower = IngressCoverageTest.policy("""
                metadata: {namespace: istio-system, name: ingress-auth}
                spec:
                  selector: {matchLabels: {istio: ingressgateway}}
                  action: CUSTOM
                  provider: {name: auth}
                  rules: [{to: [{operation: {methods: ["get"], paths: ["/admin"]}}]}]
                """);
        IngressCoverage.Report r = IngressCoverage.of(new GatewayAuthz(List.of(lower), PathNormalization.BASE, p -> true), List.of());
        List<String> methods = r.rows().stream().map(x -> x.request().method()).distinct().toList();
        assertTrue(!methods.contains("get"), "no client sends a lower-case method: " + methods);
        List<String> leaked = r.bypasses().stream().map(x -> x.request().method() + " " + x.request().path()).toList();
        assertTrue(leaked.contains("GET /admin"), leaked.toString());
        assertEquals(r.rows().size(), r.bypasses().size(), "the policy sends no request a client sends to the auth proxy: " + r.rows());
    }
}

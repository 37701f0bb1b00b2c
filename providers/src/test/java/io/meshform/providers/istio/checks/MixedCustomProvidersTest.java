package io.meshform.providers.istio.checks;

import static io.meshform.providers.TestSpecs.decl;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.Severity;
import io.meshform.engine.model.Environment;
import io.meshform.engine.spi.CheckContext;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * On the real cluster an unmanaged CUSTOM policy naming another provider on the ingress gateway left drift at "No drift"
 * (exit 0), though istiod then denies what the stack's CUSTOM policy protects and asks no auth proxy (builder.go,
 * multiple providers without PILOT_ENABLE_MULTIPLE_CUSTOM_AUTHZ_PROVIDERS): a warning now says so.
 */
class MixedCustomProvidersTest {
    private static final String OTHER = "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {namespace:"
            + " istio-system, name: other-proxy}\nspec: {selector: {matchLabels: {istio: ingressgateway}}, action: CUSTOM,"
            + " provider: {name: other}, rules: [{to: [{operation: {paths: [\"/other\"]}}]}]}\n";

    private static List<Diagnostic> warnings(CheckContext.Purpose purpose, String provider) {
        var policy = decl("istio.authorizationPolicy.ingress", "namespace: istio-system\nname: ingress\nselector: {matchLabels:"
                + " {istio: ingressgateway}}\naction: CUSTOM\nprovider: {name: " + provider + "}\nrules: [{to: [{operation:"
                + " {notPaths: [\"/api/health\"]}}]}]\n");
        var ctx = MeshChecksTest.ctx(purpose, Environment.STAGING, IngressAuthCoverageTest.INSTALL, policy);
        return IngressAuthCoverage.findings(new PlannedMesh(ctx, IngressAuthCoverageTest.liveAuthz(OTHER))).stream()
                .filter(d -> d.severity() == Severity.WARNING).toList();
    }

    @Test
    void anotherProvidersCustomPolicyOnTheGatewayIsAWarning() {
        List<Diagnostic> ds = warnings(CheckContext.Purpose.PLAN, "auth");
        assertEquals(1, ds.size(), ds.toString());
        assertEquals("ingress coverage: CUSTOM policies name 2 providers on the pods istio-system/istio=ingressgateway selects: auth"
                + " (istio-system/ingress), other (istio-system/other-proxy); no request reaches an auth proxy", ds.get(0).summary());
        assertEquals("istiod allows one CUSTOM provider per workload unless PILOT_ENABLE_MULTIPLE_CUSTOM_AUTHZ_PROVIDERS is set"
                + " (default false); with more it turns every CUSTOM rule there into a DENY rule"
                + " (pilot/pkg/security/authz/builder/builder.go getBadCustomDenyRules): what istio-system/ingress protects"
                + " answers 403 without a login, and auth is never asked. Remove the other provider's policy, or have it name"
                + " auth", ds.get(0).detail());
    }

    @Test
    void theSameProviderIsNoConflict() {
        assertEquals(List.of(), warnings(CheckContext.Purpose.PLAN, "other"));
    }
}

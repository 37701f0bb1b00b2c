package io.meshform.providers.istio.checks;

import static io.meshform.providers.TestSpecs.decl;
import static io.meshform.providers.TestSpecs.stack;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.Severity;
import io.meshform.engine.model.Environment;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A plan with --target or --exclude that leaves the stack's CUSTOM policy out: the policy stays as it is live, and the
 * table judges it on the paths its declaration's {@code coverage:} names, as a full plan does, not on a generic path.
 */
class IngressCoverageTargetedTest {
    private static final String RULES = "selector: {matchLabels: {istio: ingressgateway}}\naction: CUSTOM\n"
            + "provider: {name: auth}\nrules: [{to: [{operation: {paths: [\"/api/*\"]}}]}]\n";
    /** The stack's policy, live as applied, with the paths it must protect. */
    private static final ResourceDecl POLICY = decl("istio.authorizationPolicy.ingress", "namespace: istio-system\n"
            + "name: ext-authz\n" + RULES + "coverage: {protected: [\"/api/*\", \"/shop/*\"]}\n");

    private static List<Diagnostic> plannedWithout(ResourceDecl left) {
        FakeCluster cluster = new FakeCluster().gateway("istio-system", "gw-1", IngressCoveragePerPodTest.GATEWAY, null)
                .authorizationPolicy("istio-system", "ext-authz", RULES);
        ResourceDecl install = IngressAuthCoverageTest.INSTALL;
        var ctx = new CheckContext(stack(Environment.STAGING, install, left), Map.of(install.address(), install.spec()),
                Map.of(), CheckContext.Purpose.PLAN);
        return IngressAuthCoverage.findings(cluster.mesh(ctx)).stream().filter(d -> d.summary().startsWith("ingress coverage"))
                .toList();
    }

    @Test
    void aPolicyLeftOutIsJudgedOnTheCoverageItsDeclarationNames() {
        List<Diagnostic> ds = plannedWithout(POLICY);
        Diagnostic note = ds.get(0);
        assertEquals(Severity.INFO, note.severity());
        assertTrue(note.detail().contains("/shop/x"), note.detail());
        assertTrue(note.detail().contains("the coverage paths istio.authorizationPolicy.ingress declares, judged against its"
                + " live object (this plan leaves it out)"), note.detail());
        // The live rules protect /api/* only: the declared /shop/* is let through, at the line that declares it.
        Diagnostic shop = ds.stream().filter(d -> d.severity() == Severity.WARNING && d.summary().contains("/shop/x"))
                .findFirst().orElseThrow(() -> new AssertionError(ds.toString()));
        assertTrue(shop.summary().contains("is let through without the auth proxy"), shop.summary());
        assertTrue(shop.range() != null && shop.range().toString().startsWith("stack.yaml"), String.valueOf(shop.range()));
    }

    /** Without a coverage block the table is the one a full plan prints, and it claims nothing of the stack's paths. */
    @Test
    void aPolicyLeftOutWithoutCoverageSaysNothingOfDeclaredPaths() {
        ResourceDecl plain = decl("istio.authorizationPolicy.ingress", "namespace: istio-system\nname: ext-authz\n" + RULES);
        Diagnostic note = plannedWithout(plain).get(0);
        assertTrue(!note.detail().contains("coverage paths"), note.detail());
    }
}

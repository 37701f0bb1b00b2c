package io.meshform.providers.istio.checks;

import static io.meshform.providers.TestSpecs.decl;
import static io.meshform.providers.TestSpecs.stack;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.Environment;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Ingress coverage speaks of a gateway only when the run has a say in what it lets through: the stack's install, or
 * a policy of the stack (declared or removed) that istiod attaches to it. A stack that touches neither gets no table
 * of another stack's policies.
 */
class IngressCoverageConcernsTest {
    /** Someone else's CUSTOM policy on the live gateway, protecting /api/*. */
    private static FakeCluster cluster() {
        return new FakeCluster().gateway("istio-system", "gw-1", IngressCoveragePerPodTest.GATEWAY, null)
                .authorizationPolicy("istio-system", "ext-authz", "selector: {matchLabels: {istio: ingressgateway}}\n"
                        + "action: CUSTOM\nprovider: {name: auth}\nrules: [{to: [{operation: {paths: [\"/api/*\"]}}]}]\n");
    }

    private static List<Diagnostic> coverage(CheckContext ctx) {
        return IngressAuthCoverage.findings(cluster().mesh(ctx)).stream()
                .filter(d -> d.summary().startsWith("ingress coverage")).toList();
    }

    private static List<Diagnostic> coverage(CheckContext.Purpose purpose, ResourceDecl... decls) {
        return coverage(MeshChecksTest.ctx(purpose, Environment.STAGING, decls));
    }

    @Test
    void anEmptyStackSaysNothingOfAnotherStacksGateway() {
        assertEquals(List.of(), coverage(CheckContext.Purpose.PLAN));
        assertEquals(List.of(), coverage(CheckContext.Purpose.DRIFT));
    }

    @Test
    void aStackOfNamespacesAndPoliciesElsewhereSaysNothingEither() {
        var ns = decl("kubernetes.namespace.shop", "name: shop\n");
        var elsewhere = IngressCoveragePerPodTest.denyAdmin("istio-system", "app: other");
        assertEquals(List.of(), coverage(CheckContext.Purpose.PLAN, ns, elsewhere));
    }

    @Test
    void aDenyPolicyOnTheGatewayGetsTheTable() {
        var deny = IngressCoveragePerPodTest.denyAdmin("istio-system", null);
        List<Diagnostic> ds = coverage(CheckContext.Purpose.PLAN, deny);
        assertTrue(ds.stream().anyMatch(d -> d.summary().startsWith("ingress coverage of istio-system/gw-1:")), ds.toString());
    }

    @Test
    void removingAPolicyFromTheGatewayGetsTheTable() {
        ResourceDecl deny = IngressCoveragePerPodTest.denyAdmin("istio-system", null);
        Map<ResourceAddress, JsonNode> removed = Map.of(deny.address(), deny.spec());
        List<Diagnostic> ds = coverage(new CheckContext(stack(Environment.STAGING), Map.of(), removed, CheckContext.Purpose.PLAN));
        assertTrue(ds.stream().anyMatch(d -> d.summary().startsWith("ingress coverage of istio-system/gw-1:")), ds.toString());
    }

    @Test
    void anInstallGetsTheTableItsMeshConfigDecides() {
        List<Diagnostic> ds = coverage(CheckContext.Purpose.PLAN, IngressAuthCoverageTest.INSTALL);
        assertTrue(ds.stream().anyMatch(d -> d.summary().startsWith("ingress coverage of istio-system/gw-1:")), ds.toString());
    }
}

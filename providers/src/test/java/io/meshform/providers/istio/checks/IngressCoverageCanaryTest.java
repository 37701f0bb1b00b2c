package io.meshform.providers.istio.checks;

import static io.meshform.providers.TestSpecs.decl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceDecl;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * During a canary (two istio.installs, docs/istio-upgrades.md), each gateway is judged with the mesh config of the
 * revision whose istiod serves it, by ingress coverage and by the check of the CUSTOM provider: each revision's istiod reads its own ConfigMap (Istio 1.30.3
 * pilot/pkg/bootstrap/mesh.go getMeshConfigMapName). Before, every gateway was judged with the first install's: on the
 * dev cluster a gateway moved to a canary without the auth proxy's provider was said to send every request to the auth
 * proxy, while the canary's istiod gave it a "deny-due-to-bad-CUSTOM-action" rule for all of them.
 */
class IngressCoverageCanaryTest {
    /** The running install, with the auth proxy's provider. */
    static final ResourceDecl RUNNING = IngressAuthCoverageTest.INSTALL;
    /** The canary, declared without it. */
    static final ResourceDecl CANARY = decl("istio.install.canary", "version: \"1.30\"\nrevision: canary\n");

    private static FakeCluster gatewayOf(String revision) {
        Map<String, String> labels = new HashMap<>(IngressCoveragePerPodTest.GATEWAY);
        labels.put("istio.io/rev", revision);
        return new FakeCluster().gateway("istio-system", "istio-ingressgateway-5d8f-a", labels, null);
    }

    private static Diagnostic note(List<Diagnostic> ds) {
        return ds.stream().filter(d -> d.summary().startsWith("ingress coverage of istio-system/istio-ingressgateway"))
                .findFirst().orElseThrow(() -> new AssertionError(ds.toString()));
    }

    @Test
    void aGatewayMovedToTheCanaryIsJudgedWithTheCanarysMeshConfig() {
        Diagnostic n = note(IngressCoveragePerPodTest.plan(gatewayOf("canary"), RUNNING, CANARY, IngressCoveragePerPodTest.custom()));
        assertTrue(n.detail().contains("istio.install.canary"), n.detail());
        assertTrue(IngressCoveragePerPodTest.row(n, "/api/x").contains("denied (403)"), n.detail());
    }

    @Test
    void aGatewayOfTheRunningRevisionKeepsTheRunningInstallsWhereverTheCanaryIsDeclared() {
        for (List<ResourceDecl> installs : List.of(List.of(RUNNING, CANARY), List.of(CANARY, RUNNING))) {
            ResourceDecl[] decls = {installs.get(0), installs.get(1), IngressCoveragePerPodTest.custom()};
            Diagnostic n = note(IngressCoveragePerPodTest.plan(gatewayOf("default"), decls));
            assertTrue(n.detail().contains("istio.install.mesh"), n.detail());
            assertTrue(IngressCoveragePerPodTest.row(n, "/api/x").contains("goes to the auth proxy"), n.detail());
        }
    }

    /** The provider check judges the policy under the mesh config of the revision serving the pods it attaches to. */
    @Test
    void theProviderIsLookedForInTheMeshConfigOfTheRevisionServingThePolicysPods() {
        ResourceDecl custom = IngressCoveragePerPodTest.custom();
        List<Diagnostic> moved = CustomProviderDeclared.findings(gatewayOf("canary").mesh(MeshChecksTest.ctx(
                io.meshform.engine.spi.CheckContext.Purpose.PLAN, io.meshform.engine.model.Environment.STAGING, RUNNING, CANARY, custom)));
        assertEquals(1, moved.size(), moved.toString());
        assertTrue(moved.get(0).summary().contains("CUSTOM provider `auth` is not declared in")
                && moved.get(0).summary().contains("istio.install.canary"), moved.get(0).summary());
        List<Diagnostic> stayed = CustomProviderDeclared.findings(gatewayOf("default").mesh(MeshChecksTest.ctx(
                io.meshform.engine.spi.CheckContext.Purpose.PLAN, io.meshform.engine.model.Environment.STAGING, CANARY, RUNNING, custom)));
        assertEquals(List.of(), stayed, "the gateway is still the running revision's, which declares the provider");
    }

    /**
     * An Istio-made proxy pod carries its istiod's revision as an annotation (injection-template.yaml, the gateway
     * chart); the label is what the pod asked the webhooks for (a revision tag, say) and is not read, as istioctl's
     * GetRevisionFromPodAnnotation does not read it.
     */
    @Test
    void aPodsRevisionIsItsAnnotationNotItsLabel() {
        assertEquals("canary", io.meshform.providers.istio.injection.Sidecars.revisionOf(
                pod("annotations: {istio.io/rev: canary}\nlabels: {istio.io/rev: other}")));
        assertEquals("default", io.meshform.providers.istio.injection.Sidecars.revisionOf(pod("labels: {istio.io/rev: canary}")));
        assertEquals("default", io.meshform.providers.istio.injection.Sidecars.revisionOf(pod("labels: {app: x}")));
    }

    private static io.meshform.providers.istio.injection.LivePod pod(String metadata) {
        return io.meshform.providers.istio.injection.LivePod.of(io.meshform.providers.TestSpecs.yaml(
                "metadata: {namespace: istio-system, name: gw}\n".replace("}", ", " + metadata.replace("\n", ", ") + "}")));
    }
}

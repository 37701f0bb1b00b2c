package io.meshform.providers.istio.checks;

import static io.meshform.providers.TestSpecs.decl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.Environment;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext.Purpose;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A proxy of a revision the stack declares no istio.install of (installed by hand, or by another stack) is configured
 * by that revision's istiod from its live {@code istio-<revision>} ConfigMap (pilot/pkg/bootstrap/mesh.go
 * getMeshConfigMapName, Istio 1.30.3); the checks judged it with the stack's first install's mesh config instead. The
 * stack's own install of a revision still gives a plan its mesh config (the plan applies it); drift reads the live one.
 */
class RevisionMeshConfigTest {
    static final ResourceDecl RUNNING = IngressAuthCoverageTest.INSTALL;
    static final ResourceDecl CANARY = IngressCoverageCanaryTest.CANARY;
    static final String CANARY_SOURCE = "the live mesh config of revision canary (ConfigMap istio-system/istio-canary)";
    static final String FAIL_OPEN_AUTH = "extensionProviders: [{name: auth, envoyExtAuthzHttp: {service: auth.cortex.svc.cluster.local,"
            + " port: 8080, failOpen: true, timeout: 1s}}]\n";

    /** A running ingress gateway pod of {@code revision}, labelled and annotated as istioctl's gateway chart does. */
    static FakeCluster gatewayOf(String revision) {
        Map<String, String> labels = new HashMap<>(IngressCoveragePerPodTest.GATEWAY);
        labels.put("istio.io/rev", revision);
        return new FakeCluster().gateway("istio-system", "istio-ingressgateway-5d8f-a", labels, null);
    }

    private static PlannedMesh mesh(FakeCluster cluster, Purpose purpose, ResourceDecl... decls) {
        return cluster.mesh(MeshChecksTest.ctx(purpose, Environment.STAGING, decls));
    }

    @Test
    void anUndeclaredRevisionIsJudgedWithItsLiveConfigMap() {
        FakeCluster cluster = gatewayOf("canary");
        cluster.revisionMeshes.put("canary", "rootNamespace: istio-system\n");
        PlannedMesh mesh = mesh(cluster, Purpose.PLAN, RUNNING);
        assertEquals(CANARY_SOURCE, mesh.meshConfig("canary").source());
        assertTrue(mesh.meshConfig("canary").provider("auth").isEmpty());
        assertEquals("the meshConfig of istio.install.mesh", mesh.meshConfig("default").source().replaceAll(" \\(.*", ""));
        assertTrue(mesh.meshConfig().provider("auth").isPresent(), "the stack's first install is still the stack's mesh config");

        List<Diagnostic> ds = CustomProviderDeclared.findings(mesh(cluster, Purpose.PLAN, RUNNING, IngressCoveragePerPodTest.custom()));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().contains("CUSTOM provider `auth` is not declared in " + CANARY_SOURCE), ds.get(0).summary());
    }

    @Test
    void withoutItsConfigMapAnUndeclaredRevisionHasIstiosDefaultsAndSaysWhy() {
        PlannedMesh mesh = mesh(gatewayOf("canary"), Purpose.PLAN, RUNNING);
        assertEquals("Istio's defaults (the stack declares no istio.install of revision canary and the cluster has no"
                + " istio-system/istio-canary ConfigMap)", mesh.meshConfig("canary").source());
        FakeCluster unreadable = gatewayOf("canary");
        unreadable.revisionMeshes.put("canary", null);
        assertEquals("Istio's defaults (the stack declares no istio.install of revision canary and the cluster's"
                + " istio-system/istio-canary ConfigMap could not be read)", mesh(unreadable, Purpose.PLAN, RUNNING).meshConfig("canary").source());
        assertFalse(mesh(unreadable, Purpose.PLAN, RUNNING).meshConfig("canary").known());
    }

    @Test
    void theStacksInstallOfTheRevisionWinsInAPlanAndTheLiveOneInDrift() {
        FakeCluster cluster = gatewayOf("canary");
        cluster.revisionMeshes.put("canary", FAIL_OPEN_AUTH);
        assertTrue(mesh(cluster, Purpose.PLAN, RUNNING, CANARY).meshConfig("canary").source().contains("istio.install.canary"));
        assertTrue(mesh(cluster, Purpose.PLAN, RUNNING, CANARY).meshConfig("canary").provider("auth").isEmpty(),
                "the plan applies the canary's install, which declares no provider");
        assertEquals(CANARY_SOURCE, mesh(cluster, Purpose.DRIFT, RUNNING, CANARY).meshConfig("canary").source());
    }

    /** The auth proxy's settings are judged where the stack declares them, and in the live mesh config of a revision it does not. */
    @Test
    void authProxyRisksAreJudgedInTheLiveMeshConfigOfTheRevisionServingThePolicysPods() {
        FakeCluster cluster = gatewayOf("canary");
        cluster.revisionMeshes.put("canary", FAIL_OPEN_AUTH);
        List<Diagnostic> ds = AuthProxyRisks.findings(mesh(cluster, Purpose.PLAN, RUNNING, IngressCoveragePerPodTest.custom()));
        assertTrue(ds.stream().anyMatch(d -> d.summary().contains("failOpen") && d.summary().endsWith("(" + CANARY_SOURCE + ")")),
                ds.toString());
        List<Diagnostic> declared = AuthProxyRisks.findings(mesh(cluster, Purpose.PLAN, RUNNING, CANARY, IngressCoveragePerPodTest.custom()));
        assertTrue(declared.stream().noneMatch(d -> d.summary().contains(CANARY_SOURCE)),
                "the stack's canary install replaces the live one, and declares no provider: " + declared);
        List<Diagnostic> onRunning = AuthProxyRisks.findings(mesh(gatewayOf("default"), Purpose.PLAN, RUNNING, IngressCoveragePerPodTest.custom()));
        assertTrue(onRunning.stream().noneMatch(d -> d.summary().contains("live mesh config")), onRunning.toString());
    }

    /** Every istio.install the stack declares has its providers judged, not only the first one. */
    @Test
    void eachDeclaredInstallsAuthProxyIsJudged() {
        ResourceDecl canary = decl("istio.install.canary", "version: \"1.30\"\nrevision: canary\nmeshConfig: {" + FAIL_OPEN_AUTH
                .strip() + "}\n");
        List<Diagnostic> ds = AuthProxyRisks.findings(mesh(new FakeCluster(), Purpose.PLAN, RUNNING, canary));
        assertTrue(ds.stream().anyMatch(d -> d.summary().startsWith("istio.install.canary: ") && d.summary().contains("failOpen")),
                ds.toString());
    }

    /** A Telemetry's tracing provider is looked for in the mesh config of each revision serving the pods it selects. */
    @Test
    void aTracingProviderIsLookedForInTheMeshConfigOfTheRevisionServingTheSelectedPods() {
        ResourceDecl zipkinInstall = decl("istio.install.mesh", "version: \"1.30\"\nmeshConfig: {extensionProviders: [{name: zipkin,"
                + " zipkin: {service: zipkin.istio-system.svc.cluster.local, port: 9411}}]}\n");
        ResourceDecl telemetry = decl("istio.telemetry.tracing", "namespace: cortex\nselector: {matchLabels: {app: api}}\n"
                + "tracing: [{providers: [{name: zipkin}]}]\n");
        FakeCluster cluster = new FakeCluster().pod("cortex", "api-1", Map.of("app", "api"));
        cluster.pods.get(0).getMetadata().setAnnotations(Map.of("istio.io/rev", "canary"));
        cluster.revisionMeshes.put("canary", "extensionProviders: []\n");
        List<Diagnostic> ds = TracingProviderDeclared.findings(mesh(cluster, Purpose.PLAN, zipkinInstall, telemetry));
        assertEquals(1, ds.size(), ds.toString());
        assertEquals("istio.telemetry.tracing: tracing provider `zipkin` is not declared in " + CANARY_SOURCE, ds.get(0).summary());

        FakeCluster other = new FakeCluster().pod("cortex", "web-1", Map.of("app", "web"));
        other.pods.get(0).getMetadata().setAnnotations(Map.of("istio.io/rev", "canary"));
        other.revisionMeshes.put("canary", "extensionProviders: []\n");
        assertEquals(List.of(), TracingProviderDeclared.findings(mesh(other, Purpose.PLAN, zipkinInstall, telemetry)),
                "a pod the Telemetry does not select is not its concern; with none, the stack's install judges it");
    }

    /** The auth proxy's Service is looked up as the mesh config of the revision serving the policy's pods names it. */
    @Test
    void theAuthProxysServiceIsTheOneTheServingRevisionsMeshConfigNames() {
        FakeCluster cluster = gatewayOf("canary").service("cortex", "auth", 8080);
        cluster.revisionMeshes.put("canary", "extensionProviders: [{name: auth, envoyExtAuthzHttp: {service: auth-v2.cortex.svc.cluster.local,"
                + " port: 8080}}]\n");
        List<Diagnostic> ds = ExtAuthzServiceExists.findings(mesh(cluster, Purpose.PLAN, RUNNING, IngressCoveragePerPodTest.custom()));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().startsWith("auth proxy `auth`: Service cortex/auth-v2 does not exist"), ds.get(0).summary());
        assertTrue(ds.get(0).detail().contains(CANARY_SOURCE), ds.get(0).detail());
        FakeCluster onRunning = gatewayOf("default").service("cortex", "auth", 8080);
        assertEquals(List.of(), ExtAuthzServiceExists.findings(mesh(onRunning, Purpose.PLAN, RUNNING, IngressCoveragePerPodTest.custom())));
    }
}

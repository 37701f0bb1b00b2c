package io.meshform.providers.istio.checks;

import static io.meshform.providers.TestSpecs.decl;
import static io.meshform.providers.TestSpecs.stack;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.Environment;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A plan with --target or --exclude that leaves out a resource of the stack, which is not live yet: each check that
 * finds it missing after the plan says that the plan leaves it out, and how to include it, instead of asking the user
 * to declare what the stack declares.
 */
class LeftOutOfPlanTest {
    private static final ResourceDecl INSTALL = decl("istio.install.mesh", "version: \"1.30\"\nextAuthz: [{name: proxy,"
            + " service: auth.cortex.svc.cluster.local, port: 8080, timeout: 5s}]\nmeshConfig: {extensionProviders:"
            + " [{name: zipkin, zipkin: {service: zipkin.istio-system.svc.cluster.local, port: 9411}}]}\n");
    private static final ResourceDecl POLICY = decl("istio.authorizationPolicy.ingress_auth", "namespace: istio-system\n"
            + "name: ingress-auth\nselector: {matchLabels: {istio: ingressgateway}}\naction: CUSTOM\nprovider: {name: proxy}\n"
            + "rules: [{to: [{operation: {notPaths: [\"/health\"]}}]}]\n");
    private static final ResourceDecl SERVICE = decl("kubernetes.manifest.auth", "manifest: {apiVersion: v1, kind: Service,"
            + " metadata: {name: auth, namespace: cortex}, spec: {ports: [{port: 8080}]}}\n");
    private static final ResourceDecl TELEMETRY = decl("istio.telemetry.tracing", "namespace: istio-system\nname: mesh-default\n"
            + "tracing: [{providers: [{name: zipkin}]}]\n");

    /** A plan of {@code planned} only, the stack declaring {@code all}. */
    private static CheckContext targeted(List<ResourceDecl> all, ResourceDecl... planned) {
        Map<io.meshform.engine.model.ResourceAddress, JsonNode> after = new LinkedHashMap<>();
        for (ResourceDecl d : planned) {
            after.put(d.address(), d.spec());
        }
        return new CheckContext(stack(Environment.PRODUCTION, all.toArray(ResourceDecl[]::new)), after, Map.of(),
                CheckContext.Purpose.PLAN);
    }

    /** A cluster whose live mesh config (an earlier install, or none of this stack's) declares no provider. */
    private static FakeCluster bareMesh() {
        FakeCluster c = new FakeCluster();
        c.mesh = "rootNamespace: istio-system\n";
        return c;
    }

    @Test
    void theInstallTargetedWithoutItsCustomPolicySaysThePolicyIsLeftOut() {
        var ctx = targeted(List.of(INSTALL, POLICY), INSTALL);
        List<Diagnostic> ds = IngressAuthUnused.findings(new FakeCluster().mesh(ctx));
        assertEquals(1, ds.size(), ds.toString());
        assertEquals("istio.install.mesh: ingress is not authenticated after this plan: the CUSTOM policy that sends requests"
                + " to provider proxy (istio.authorizationPolicy.ingress_auth) is left out of it", ds.get(0).summary());
        assertTrue(ds.get(0).detail().endsWith("this plan leaves istio.authorizationPolicy.ingress_auth out (--target or"
                + " --exclude): plan it too (--target istio.authorizationPolicy.ingress_auth), or plan without --target and"
                + " --exclude"), ds.get(0).detail());
        assertTrue(!ds.get(0).detail().contains("Declare an istio.authorizationPolicy"), ds.get(0).detail());
    }

    @Test
    void aWholePlanWithoutAnyCustomPolicyStillAsksToDeclareOne() {
        List<Diagnostic> ds = IngressAuthUnused.findings(new FakeCluster().mesh(targeted(List.of(INSTALL), INSTALL)));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).detail().contains("Declare an istio.authorizationPolicy"), ds.get(0).detail());
    }

    @Test
    void thePolicyTargetedWithoutTheInstallSaysTheInstallIsLeftOut() {
        List<Diagnostic> ds = CustomProviderDeclared.findings(bareMesh().mesh(targeted(List.of(INSTALL, POLICY), POLICY)));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().endsWith("is not declared in the live mesh config (ConfigMap istio-system/istio)"
                + " (istio.install.mesh declares it, but this plan leaves it out)"), ds.get(0).summary());
        assertTrue(ds.get(0).detail().contains("Until istio.install.mesh is applied: this plan leaves istio.install.mesh out"),
                ds.get(0).detail());
    }

    @Test
    void theTelemetryTargetedWithoutTheInstallSaysTheInstallIsLeftOut() {
        List<Diagnostic> ds = TracingProviderDeclared.findings(bareMesh().mesh(targeted(List.of(INSTALL, TELEMETRY), TELEMETRY)));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().endsWith("(istio.install.mesh declares it, but this plan leaves it out)"), ds.get(0).summary());
        assertTrue(ds.get(0).detail().contains("--target istio.install.mesh"), ds.get(0).detail());
    }

    @Test
    void thePolicyTargetedWithoutTheAuthProxyServiceSaysTheServiceIsLeftOut() {
        var ctx = targeted(List.of(INSTALL, POLICY, SERVICE), INSTALL, POLICY);
        List<Diagnostic> ds = ExtAuthzServiceExists.findings(new FakeCluster().mesh(ctx));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().startsWith("auth proxy `proxy`: Service cortex/auth does not exist (kubernetes.manifest.auth"
                + " declares it, but this plan leaves it out)"), ds.get(0).summary());
        assertTrue(ds.get(0).detail().contains("--target kubernetes.manifest.auth"), ds.get(0).detail());
    }

    /**
     * The stack's own PERMISSIVE exception, live as applied, left out of a plan that targets the namespace's STRICT
     * policy: it is the stack's, so "which the stack does not manage ... declare it" would be false.
     */
    @Test
    void theStacksOwnExceptionLeftOutIsNotCalledUnmanaged() {
        var strict = decl("istio.peerAuthentication.cortex", "namespace: cortex\nname: default\nmtls: {mode: STRICT}\n");
        var exception = decl("istio.peerAuthentication.mongo", "namespace: cortex\nname: mongo\n"
                + "selector: {matchLabels: {app: mongo}}\nmtls: {mode: PERMISSIVE}\n");
        FakeCluster cluster = new FakeCluster().peer("cortex", "mongo", "2024-01-01T00:00:00Z",
                "selector: {matchLabels: {app: mongo}}\nmtls: {mode: PERMISSIVE}");
        List<Diagnostic> ds = UnmanagedWeakerMtls.findings(cluster.mesh(targeted(List.of(strict, exception), strict)));
        assertEquals(List.of(), ds, "cortex/mongo is the stack's istio.peerAuthentication.mongo");
        FakeCluster other = new FakeCluster().peer("cortex", "open", "2024-01-01T00:00:00Z",
                "selector: {matchLabels: {app: mongo}}\nmtls: {mode: PERMISSIVE}");
        assertEquals(1, UnmanagedWeakerMtls.findings(other.mesh(targeted(List.of(strict, exception), strict))).size(),
                "a live policy the stack does not declare is still reported");
    }

    /** STRICT targeted without the stack's PERMISSIVE exception (not live yet): say the exception is left out. */
    @Test
    void strictTargetedWithoutTheStacksExceptionSaysTheExceptionIsLeftOut() {
        var strict = decl("istio.peerAuthentication.cortex", "namespace: cortex\nname: default\nmtls: {mode: STRICT}\n");
        var exception = decl("istio.peerAuthentication.mongo", "namespace: cortex\nname: mongo\nselector: {matchLabels:"
                + " {app.kubernetes.io/name: mongodb}}\nmtls: {mode: PERMISSIVE}\n");
        FakeCluster cluster = new FakeCluster().namespace("cortex", "istio-injection", "enabled")
                .pod("cortex", "mongodb-0", MeshChecksTest.MONGO, 27017);
        List<Diagnostic> ds = StrictWithoutExceptions.findings(cluster.mesh(targeted(List.of(strict, exception), strict)));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().endsWith("(the stack's istio.peerAuthentication.mongo, which exempts them, is left out of"
                + " this plan)"), ds.get(0).summary());
        assertTrue(ds.get(0).detail().contains("--target istio.peerAuthentication.mongo"), ds.get(0).detail());
    }

    /**
     * A left-out exception labelled with a revision no istiod serves exempts nothing once applied (ConfigRevision):
     * the finding is not blamed on its being left out, which planning it would not mend.
     */
    @Test
    void aLeftOutExceptionNoIstiodWouldReadIsNotSaidToExempt() {
        var strict = decl("istio.peerAuthentication.cortex", "namespace: cortex\nname: default\nmtls: {mode: STRICT}\n");
        for (String rev : List.of("canary", "default")) {
            var exception = decl("kubernetes.manifest.mongo", "manifest: {apiVersion: security.istio.io/v1, kind:"
                    + " PeerAuthentication, metadata: {name: mongo, namespace: cortex, labels: {istio.io/rev: " + rev + "}},"
                    + " spec: {selector: {matchLabels: {app.kubernetes.io/name: mongodb}}, mtls: {mode: PERMISSIVE}}}\n");
            FakeCluster cluster = new FakeCluster().namespace("cortex", "istio-injection", "enabled").istiod("default")
                    .pod("cortex", "mongodb-0", MeshChecksTest.MONGO, 27017);
            List<Diagnostic> ds = StrictWithoutExceptions.findings(cluster.mesh(targeted(List.of(strict, exception), strict)));
            assertEquals(1, ds.size(), rev + ": " + ds);
            assertEquals(!rev.equals("canary"), ds.get(0).summary().contains("is left out of this plan"), rev + ": " + ds);
        }
    }

    /**
     * Istio composes one mesh, one namespace and one workload policy per pod, the workload level last
     * ({@code ComposePeerAuthentication}, pilot/pkg/security/authn/policy_applier.go): a namespace-level PERMISSIVE left
     * out of the plan does not exempt a pod a workload-level STRICT policy selects, so the warning must not say it does.
     */
    @Test
    void aLeftOutNamespacePolicyDoesNotExemptAPodAWorkloadPolicyMakesStrict() {
        var strict = decl("istio.peerAuthentication.mongo_strict", "namespace: cortex\nname: mongo-strict\nselector:"
                + " {matchLabels: {app.kubernetes.io/name: mongodb}}\nmtls: {mode: STRICT}\n");
        var open = decl("istio.peerAuthentication.cortex", "namespace: cortex\nname: default\nmtls: {mode: PERMISSIVE}\n");
        FakeCluster cluster = new FakeCluster().namespace("cortex", "istio-injection", "enabled")
                .pod("cortex", "mongodb-0", MeshChecksTest.MONGO, 27017);
        List<Diagnostic> ds = StrictWithoutExceptions.findings(cluster.mesh(targeted(List.of(strict, open), strict)));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().endsWith("from PeerAuthentication cortex/mongo-strict (istio.peerAuthentication.mongo_strict)"),
                ds.get(0).summary());
        assertTrue(!ds.get(0).detail().contains("exempts"), ds.get(0).detail());
    }

    /** The same namespace-level PERMISSIVE does exempt the pod from a mesh-wide STRICT: the namespace level outranks it. */
    @Test
    void aLeftOutNamespacePolicyExemptsAPodFromMeshWideStrict() {
        var mesh = decl("istio.peerAuthentication.mesh", "namespace: istio-system\nname: default\nmtls: {mode: STRICT}\n");
        var open = decl("istio.peerAuthentication.cortex", "namespace: cortex\nname: default\nmtls: {mode: PERMISSIVE}\n");
        FakeCluster cluster = new FakeCluster().namespace("cortex", "istio-injection", "enabled")
                .pod("cortex", "mongodb-0", MeshChecksTest.MONGO, 27017);
        List<Diagnostic> ds = StrictWithoutExceptions.findings(cluster.mesh(targeted(List.of(mesh, open), mesh)));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().endsWith("(the stack's istio.peerAuthentication.cortex, which exempts them, is left out of"
                + " this plan)"), ds.get(0).summary());
    }

    /**
     * A left-out workload-level PERMISSIVE does not exempt a pod that an older live workload-level STRICT policy selects:
     * Istio keeps the oldest workload policy, and the left-out one would be created last.
     */
    @Test
    void aLeftOutWorkloadPolicyDoesNotOutrankAnOlderLiveOne() {
        var strict = decl("istio.peerAuthentication.mongo_strict", "namespace: cortex\nname: mongo-strict\nselector:"
                + " {matchLabels: {app.kubernetes.io/name: mongodb}}\nmtls: {mode: STRICT}\n");
        var open = decl("istio.peerAuthentication.mongo", "namespace: cortex\nname: mongo\nselector: {matchLabels:"
                + " {app.kubernetes.io/name: mongodb}}\nmtls: {mode: PERMISSIVE}\n");
        FakeCluster cluster = new FakeCluster().namespace("cortex", "istio-injection", "enabled")
                .pod("cortex", "mongodb-0", MeshChecksTest.MONGO, 27017)
                .peer("cortex", "mongo-strict", "2024-01-01T00:00:00Z", "selector: {matchLabels: {app.kubernetes.io/name:"
                        + " mongodb}}\nmtls: {mode: STRICT}");
        List<Diagnostic> ds = StrictWithoutExceptions.findings(cluster.mesh(targeted(List.of(strict, open), strict)));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(!ds.get(0).detail().contains("exempts"), ds.get(0).detail());
    }
}

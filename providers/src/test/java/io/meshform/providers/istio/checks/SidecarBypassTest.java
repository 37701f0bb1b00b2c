package io.meshform.providers.istio.checks;

import static io.meshform.providers.TestSpecs.decl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.Severity;
import io.meshform.engine.model.Environment;
import io.meshform.providers.istio.policy.Interception;
import io.meshform.providers.istio.policy.ReachPod;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Ports a pod's {@code traffic.sidecar.istio.io/*} annotations (or istio-init's arguments) take out of its sidecar's
 * reach: the checks do not claim STRICT for them, and warn when the stack's STRICT is punched through.
 */
class SidecarBypassTest {
    private static final Map<String, String> MONGO = MeshChecksTest.MONGO;

    private static Pod annotated(Pod p, Map<String, String> annotations) {
        p.getMetadata().setAnnotations(annotations);
        return p;
    }

    private static FakeCluster mongoExcluding27017() {
        FakeCluster c = new FakeCluster().namespace("cortex", "istio-injection", "enabled");
        c.pods.add(annotated(FakeCluster.pod("cortex", "mongodb-0", MONGO, true, 27017),
                Map.of(Interception.EXCLUDE_INBOUND, "27017")));
        return c;
    }

    @Test
    void theInventoryReadsAnnotationsAndIstioInitArgs() {
        ReachPod byAnnotation = MeshInventory.of(mongoExcluding27017().pods().get(0));
        assertFalse(byAnnotation.sidecarHandles(27017));
        Pod injected = FakeCluster.pod("cortex", "api-0", Map.of("app", "api"), true, 8080, 9090);
        injected.getSpec().setInitContainers(List.of(new ContainerBuilder().withName("istio-init").withArgs("istio-iptables",
                "-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT", "-i", "*", "-x", "", "-b", "*", "-d",
                "15090,15021,15020,9090", "-o", "5432").build()));
        injected.getStatus().setPodIP("10.1.2.3");
        ReachPod api = MeshInventory.of(io.meshform.providers.istio.injection.LivePods.of(injected));
        assertTrue(api.sidecarHandles(8080));
        assertFalse(api.sidecarHandles(9090), "the injector resolved the mesh-wide excludeInboundPorts into istio-init's -d");
        assertEquals("10.1.2.3", api.ip());
        assertTrue(api.interception().outboundBypass("10.96.0.1", 5432).contains("excludeOutboundPorts"));
    }

    @Test
    void strictWithoutExceptionsIgnoresAnExcludedPort() {
        FakeCluster plain = new FakeCluster().namespace("cortex", "istio-injection", "enabled").pod("cortex", "mongodb-0", MONGO, 27017);
        assertEquals(1, StrictWithoutExceptions.findings(plain.mesh(MeshChecksTest.ctx(Environment.PRODUCTION,
                MeshChecksTest.MESH_STRICT))).size(), "STRICT reaches 27017 through the sidecar");
        assertEquals(List.of(), StrictWithoutExceptions.findings(mongoExcluding27017().mesh(MeshChecksTest.ctx(Environment.PRODUCTION,
                MeshChecksTest.MESH_STRICT))), "27017 bypasses the sidecar: no STRICT there to except");
        // a second port the sidecar still captures is still reported
        FakeCluster two = new FakeCluster().namespace("cortex", "istio-injection", "enabled");
        two.pods.add(annotated(FakeCluster.pod("cortex", "mongodb-0", MONGO, true, 27017, 9216),
                Map.of(Interception.EXCLUDE_INBOUND, "27017")));
        List<Diagnostic> ds = StrictWithoutExceptions.findings(two.mesh(MeshChecksTest.ctx(Environment.PRODUCTION, MeshChecksTest.MESH_STRICT)));
        assertEquals(1, ds.size());
        assertTrue(ds.get(0).detail().contains("STRICT on port(s) [9216]"), ds.get(0).detail());
    }

    @Test
    void anExcludedPortUnderTheStacksStrictIsAWarningUntilTheExceptionIsDeclared() {
        List<Diagnostic> ds = UnmanagedWeakerMtls.findings(mongoExcluding27017().mesh(MeshChecksTest.ctx(Environment.PRODUCTION,
                MeshChecksTest.MESH_STRICT)));
        assertEquals(1, ds.size(), ds.toString());
        assertEquals(Severity.WARNING, ds.get(0).severity());
        assertTrue(ds.get(0).summary().contains("1 workload(s) take ports out of the STRICT mTLS that PeerAuthentication"
                + " istio-system/default (istio.peerAuthentication.mesh) sets"), ds.get(0).summary());
        assertTrue(ds.get(0).detail().contains("cortex/mongodb-0: port 27017 is in excludeInboundPorts (pod annotations)"),
                ds.get(0).detail());
        var exception = decl("istio.peerAuthentication.mongo", "namespace: cortex\nselector: {matchLabels: {app.kubernetes.io/name:"
                + " mongodb}}\nportLevelMtls: {27017: {mode: DISABLE}}\n");
        assertEquals(List.of(), UnmanagedWeakerMtls.findings(mongoExcluding27017().mesh(MeshChecksTest.ctx(Environment.PRODUCTION,
                MeshChecksTest.MESH_STRICT, exception))), "the hole is declared");
        assertEquals(List.of(), UnmanagedWeakerMtls.findings(mongoExcluding27017().mesh(MeshChecksTest.ctx(Environment.PRODUCTION))),
                "no STRICT from the stack");
    }

    /**
     * The Cortex plan over a MongoDB whose 27017 is excluded: the unmeshed client's plaintext gets through (no stall, no
     * refusal), while the clients the plan meshes send auto-mTLS that MongoDB cannot read, and the preview says the port
     * bypasses the sidecar instead of naming a mode that does not apply.
     */
    @Test
    void thePreviewSaysThePortBypassesTheSidecar() {
        FakeCluster c = MtlsReachabilityTest.cortexCluster();
        c.pods.replaceAll(p -> p.getMetadata().getName().equals("mongodb-0")
                ? annotated(p, Map.of(Interception.EXCLUDE_INBOUND, "27017")) : p);
        var stack = new io.meshform.engine.load.StackLoader(new io.meshform.engine.spi.TypeRegistry(
                new io.meshform.providers.MeshformProviderFactory().create(new io.meshform.engine.spi.ProviderSettings(Map.of()))))
                .load(java.nio.file.Path.of("..", "examples", "cortex-production.yaml").toAbsolutePath().normalize(),
                        new io.meshform.engine.load.VariableInputs(Map.of(), List.of(), Map.of())).stack();
        List<Diagnostic> ds = MtlsReachability.findings(c.mesh(Stacks.plan(stack)));
        String all = ds.stream().map(d -> d.summary() + "\n" + d.detail()).collect(Collectors.joining("\n---\n"));
        assertFalse(ds.stream().anyMatch(d -> d.summary().startsWith("mTLS: tools/curl -> cortex/mongodb-0")),
                "curl's plaintext reaches MongoDB directly:\n" + all);
        Diagnostic mongo = ds.stream().filter(d -> d.summary().contains("-> cortex/mongodb-0:27017")).findFirst().orElseThrow(
                () -> new AssertionError(all));
        assertTrue(mongo.summary().endsWith("breaks: Istio mTLS to a port that bypasses the sidecar (traffic.sidecar.istio.io)"),
                mongo.summary());
        assertTrue(mongo.detail().contains("server mTLS: port 27017 bypasses the sidecar (port 27017 is in excludeInboundPorts"
                + " (pod annotations)): the application accepts plaintext from anyone there"), mongo.detail());
        assertTrue(mongo.detail().contains("portLevelMtls {27017: {mode: DISABLE}}"), mongo.detail());
    }
}

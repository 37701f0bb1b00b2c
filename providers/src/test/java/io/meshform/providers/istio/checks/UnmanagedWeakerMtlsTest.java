package io.meshform.providers.istio.checks;

import static io.meshform.providers.TestSpecs.decl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.Environment;
import io.meshform.providers.istio.policy.MtlsMode;
import io.meshform.providers.istio.policy.PeerAuthentications;
import io.meshform.providers.istio.policy.PeerPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@link UnmanagedWeakerMtls} answers "which stack policy makes this namespace STRICT" once per namespace for workload
 * policies instead of rebuilding the mesh without each one. These tests hold it to the rebuild it replaced.
 */
class UnmanagedWeakerMtlsTest {
    private static final String ROOT = "istio-system";
    private static final MtlsMode[] MODES = MtlsMode.values();

    /** The fact the shortcut rests on: leaving out a workload policy never changes a namespace's STRICT owner. */
    @Test
    void aWorkloadPolicyNeverDecidesWhoMakesItsNamespaceStrict() {
        for (long seed = 1; seed <= 300; seed++) {
            Random rnd = new Random(seed);
            PeerAuthentications peers = new PeerAuthentications(ROOT, randomPolicies(rnd));
            for (PeerPolicy p : peers.all()) {
                if (p.scope(ROOT) != PeerPolicy.Scope.WORKLOAD) {
                    continue;
                }
                assertEquals(UnmanagedWeakerMtls.stackStrict(UnmanagedWeakerMtls.without(peers, p), p.namespace()),
                        UnmanagedWeakerMtls.stackStrict(peers, p.namespace()), "seed " + seed + ", without " + p.id());
            }
        }
    }

    /**
     * Many unmanaged workload policies under a namespace the stack makes STRICT: each one that weakens it is reported
     * (one warning each), and one that does not weaken it is not.
     */
    @Test
    void everyUnmanagedWorkloadPolicyUnderAStrictNamespaceIsJudged() {
        FakeCluster cluster = new FakeCluster();
        for (int i = 0; i < 300; i++) {
            cluster.peer("cortex", "open-" + i, "2024-01-01T00:00:00Z",
                    "selector: {matchLabels: {app: app-" + i + "}}\nmtls: {mode: " + (i % 3 == 0 ? "STRICT" : "PERMISSIVE") + "}");
        }
        var strict = decl("istio.peerAuthentication.cortex", "namespace: cortex\nname: default\nmtls: {mode: STRICT}\n");
        List<Diagnostic> ds = UnmanagedWeakerMtls.findings(cluster.mesh(MeshChecksTest.ctx(Environment.PRODUCTION, strict)));
        assertEquals(200, ds.size());
        assertTrue(ds.stream().allMatch(d -> d.summary().contains("sets mtls PERMISSIVE for workloads")), ds.get(0).summary());
        assertTrue(ds.stream().allMatch(d -> d.detail().contains("istio.peerAuthentication.cortex")), ds.get(0).detail());
        assertEquals(List.of(), UnmanagedWeakerMtls.findings(cluster.mesh(MeshChecksTest.ctx(Environment.PRODUCTION))),
                "nothing declared STRICT, so nothing is weakened");
    }

    /**
     * A gateway's istio-proxy builds its listeners from Gateway servers, and istiod applies a PeerAuthentication's mode
     * only to sidecar inbound listeners (ReachPod.gatewayProxy; pilot/pkg/networking/core/listener.go): an unmanaged
     * PERMISSIVE policy that selects only gateway pods weakens nothing, and one that also selects a sidecar workload
     * names only that workload's pod.
     */
    @Test
    void aPolicyOnGatewayPodsWeakensNothingThere() {
        FakeCluster cluster = new FakeCluster().gateway("cortex", "ingress-7c", Map.of("istio", "ingressgateway", "tier", "edge"),
                null, 8080);
        cluster.pods.add(FakeCluster.pod("cortex", "api-0", Map.of("app", "api", "tier", "edge"), true, 8080));
        var strict = decl("istio.peerAuthentication.cortex", "namespace: cortex\nname: default\nmtls: {mode: STRICT}\n");
        cluster.peer("cortex", "ingress-open", "2024-01-01T00:00:00Z",
                "selector: {matchLabels: {istio: ingressgateway}}\nmtls: {mode: PERMISSIVE}");
        assertEquals(List.of(), UnmanagedWeakerMtls.findings(cluster.mesh(MeshChecksTest.ctx(Environment.PRODUCTION, strict))));

        cluster.peer("cortex", "edge-open", "2024-01-01T00:00:00Z", "selector: {matchLabels: {tier: edge}}\nmtls: {mode: PERMISSIVE}");
        List<Diagnostic> ds = UnmanagedWeakerMtls.findings(cluster.mesh(MeshChecksTest.ctx(Environment.PRODUCTION, strict)));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().endsWith("cortex/edge-open, which the stack does not manage, sets mtls PERMISSIVE for"
                + " workloads {tier=edge} (running: cortex/api-0)"), ds.get(0).summary());
    }

    /** Mesh, namespace, workload and ignored policies over three namespaces, some the stack's, some of equal age. */
    private static List<PeerPolicy> randomPolicies(Random rnd) {
        List<PeerPolicy> out = new ArrayList<>();
        String[] namespaces = {ROOT, "a", "b", "c"};
        int n = 1 + rnd.nextInt(12);
        for (int i = 0; i < n; i++) {
            String ns = namespaces[rnd.nextInt(namespaces.length)];
            Map<String, String> selector = rnd.nextInt(3) == 0 ? Map.of() : Map.of("app", "w" + rnd.nextInt(3));
            TreeMap<Integer, MtlsMode> ports = new TreeMap<>();
            if (rnd.nextInt(4) == 0) {
                ports.put(8080, MODES[rnd.nextInt(MODES.length)]);
            }
            Instant created = rnd.nextInt(5) == 0 ? null : Instant.ofEpochSecond(rnd.nextInt(4));
            String origin = rnd.nextBoolean() ? "istio.peerAuthentication.p" + i : null;
            out.add(new PeerPolicy(ns, "p" + i, created, selector, MODES[rnd.nextInt(MODES.length)], ports, origin));
        }
        return out;
    }
}

package io.meshform.providers.istio.policy;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.PlannedChange;
import io.meshform.providers.Harness;
import io.meshform.providers.istio.IstioCrds;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.FinalizerHold;
import io.meshform.testkit.LiveClusterTest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An Istio policy held by a finalizer (another controller's cleanup) is gone when its delete returns, as a
 * {@code kubernetes.manifest}'s object is ({@code ManifestDeleteWaitIT}). On the dev cluster, a PeerAuthentication with
 * the finalizer {@code example.com/hold}: destroy said "PeerAuthentication pol/default deleted" and "Destroy complete"
 * while the object was still there (deletionTimestamp set), acting on the mesh; and the create half of a replacement
 * applied onto the object being deleted, which vanished once the finalizer went.
 */
@LiveClusterTest
class PolicyDeleteWaitIT {
    @Test
    void theDeleteHalfOfAReplacementWaitsForAPolicyHeldByAFinalizer(ClusterContext cluster) throws Exception {
        IstioCrds.ensure(cluster);
        String ns = cluster.newNamespace();
        var policies = cluster.client().genericKubernetesResources(PeerAuthenticationIT.PA).inNamespace(ns);
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of())) {
            String addr = "istio.peerAuthentication.strict";
            var spec = yaml("namespace: " + ns + "\nname: default\nmtls: {mode: STRICT}\n");
            h.apply(addr, spec);
            String before = policies.withName("default").get().getMetadata().getUid();
            // Released 3 s after the delete was asked for: the step must still be waiting then.
            try (var hold = FinalizerHold.add(policies.withName("default"))
                    .releaseWhenDeleting(Duration.ofSeconds(3), Duration.ofSeconds(60))) {
                h.delete(addr);
                h.apply(addr, spec);  // the create half, at once
                assertTrue(hold.released(Duration.ofSeconds(60)), "the held PeerAuthentication was deleted");
            }
            var after = policies.withName("default").get();
            assertNotNull(after, "the replacement's policy is there once the finalizer let the old one go: " + h.progress);
            assertNotEquals(before, after.getMetadata().getUid(), "a new object");
            assertNull(after.getMetadata().getDeletionTimestamp());
            assertEquals(Action.NOOP, h.plan(addr, spec).action(), "the replacement is recorded as it is live");
            assertTrue(h.progress.stream().anyMatch(l -> l.startsWith("waiting up to 300s for PeerAuthentication " + ns
                    + "/default to be gone") && l.contains(FinalizerHold.FINALIZER)), h.progress.toString());
        }
    }

    /**
     * A recorded policy that is being deleted (a destroy stopped or timed out while it waited keeps the record) is
     * planned as a replacement, not "No changes": its spec still matches, yet it vanishes once nothing holds it.
     * The replacement's delete waits for it, then the create makes it anew.
     */
    @Test
    void aRecordedPolicyBeingDeletedIsPlannedAsAReplacement(ClusterContext cluster) throws Exception {
        IstioCrds.ensure(cluster);
        String ns = cluster.newNamespace();
        var policies = cluster.client().genericKubernetesResources(PeerAuthenticationIT.PA).inNamespace(ns);
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of())) {
            String addr = "istio.peerAuthentication.strict";
            var spec = yaml("namespace: " + ns + "\nname: default\nmtls: {mode: STRICT}\n");
            h.apply(addr, spec);
            String before = policies.withName("default").get().getMetadata().getUid();
            try (var hold = FinalizerHold.add(policies.withName("default"))) {
                policies.withName("default").delete();  // as a destroy stopped while it waited leaves it
                PlannedChange c = h.plan(addr, spec);
                assertEquals(Action.REPLACE, c.action(), c.reason());
                assertTrue(c.reason().startsWith("PeerAuthentication " + ns + "/default is being deleted since ")
                        && c.reason().contains("held by finalizer(s) " + FinalizerHold.FINALIZER), c.reason());
                assertEquals("true", c.privateData().get(PlannedChange.BEING_DELETED), "drift says it in the plan's words");
                // The replacement, as the engine runs it: the delete waits until the held policy is gone, then the create.
                hold.releaseWhenDeleting(Duration.ofSeconds(2), Duration.ofSeconds(60));
                h.delete(addr);
                h.apply(addr, spec);
                assertTrue(hold.released(Duration.ofSeconds(60)), "the held PeerAuthentication was let go");
            }
            var after = policies.withName("default").get();
            assertNotNull(after, h.progress.toString());
            assertNotEquals(before, after.getMetadata().getUid(), "a new object");
            assertNull(after.getMetadata().getDeletionTimestamp());
            assertEquals(Action.NOOP, h.plan(addr, spec).action());
        }
    }
}

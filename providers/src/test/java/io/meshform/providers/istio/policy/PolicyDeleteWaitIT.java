package io.meshform.providers.istio.policy;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.meshform.engine.spi.Action;
import io.meshform.providers.Harness;
import io.meshform.providers.istio.IstioCrds;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
    private static final String HOLD = "meshform.test/hold";

    @Test
    void theDeleteHalfOfAReplacementWaitsForAPolicyHeldByAFinalizer(ClusterContext cluster) throws Exception {
        IstioCrds.ensure(cluster);
        String ns = cluster.newNamespace();
        var policies = cluster.client().genericKubernetesResources(PeerAuthenticationIT.PA).inNamespace(ns);
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of())) {
            String addr = "istio.peerAuthentication.strict";
            var spec = yaml("namespace: " + ns + "\nname: default\nmtls: {mode: STRICT}\n");
            h.apply(addr, spec);
            policies.withName("default").edit(p -> {
                List<String> finalizers = new ArrayList<>(p.getMetadata().getFinalizers());
                finalizers.add(HOLD);
                p.getMetadata().setFinalizers(finalizers);
                return p;
            });
            String before = policies.withName("default").get().getMetadata().getUid();
            CompletableFuture<Boolean> released = CompletableFuture.supplyAsync(() -> {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (System.nanoTime() < until) {
                    GenericKubernetesResource p = policies.withName("default").get();
                    if (p != null && p.getMetadata().getDeletionTimestamp() != null) {
                        pause(3_000);  // the delete has been asked for by now; the step must still be waiting
                        policies.withName("default").edit(x -> {
                            x.getMetadata().setFinalizers(new ArrayList<>(x.getMetadata().getFinalizers().stream()
                                    .filter(f -> !f.equals(HOLD)).toList()));
                            return x;
                        });
                        return true;
                    }
                    pause(100);
                }
                return false;
            });
            try {
                h.delete(addr);
                h.apply(addr, spec);  // the create half, at once
                assertTrue(released.get(60, TimeUnit.SECONDS), "the held PeerAuthentication was deleted");
            } finally {
                released.cancel(true);
                var left = policies.withName("default").get();
                if (left != null && left.getMetadata().getFinalizers().contains(HOLD)) {
                    policies.withName("default").edit(x -> {
                        x.getMetadata().setFinalizers(List.of());
                        return x;
                    });
                }
            }
            var after = policies.withName("default").get();
            assertNotNull(after, "the replacement's policy is there once the finalizer let the old one go: " + h.progress);
            assertNotEquals(before, after.getMetadata().getUid(), "a new object");
            assertNull(after.getMetadata().getDeletionTimestamp());
            assertEquals(Action.NOOP, h.plan(addr, spec).action(), "the replacement is recorded as it is live");
            assertTrue(h.progress.stream().anyMatch(l -> l.startsWith("waiting up to 300s for PeerAuthentication " + ns
                    + "/default to be gone") && l.contains(HOLD)), h.progress.toString());
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

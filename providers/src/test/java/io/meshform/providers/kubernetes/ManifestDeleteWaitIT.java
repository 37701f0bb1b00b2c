package io.meshform.providers.kubernetes;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.spi.Action;
import io.meshform.providers.Harness;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.FinalizerHold;
import io.meshform.testkit.LiveClusterTest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A manifest's object held by a finalizer (a controller's cleanup) is gone when its delete returns. Here another
 * client's finalizer holds a ConfigMap for a few seconds after the delete. Before, the delete returned at once ("deleted")
 * and the create half of a replacement (the same object, as {@code --replace} does) server-side applied onto the object
 * being deleted, which the API server takes; once the finalizer went, so did the object meshform had just recorded as
 * created, and the next plan wanted to create it.
 */
@LiveClusterTest
class ManifestDeleteWaitIT {
    @Test
    void theDeleteHalfOfAReplacementWaitsForAnObjectHeldByAFinalizer(ClusterContext cluster) throws Exception {
        String ns = cluster.newNamespace();
        var configMaps = cluster.client().configMaps().inNamespace(ns);
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of())) {
            String addr = "kubernetes.manifest.cfg";
            var spec = yaml("manifest:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: cfg, namespace: " + ns + "}\n"
                    + "  data: {mode: a}\n");
            h.apply(addr, spec);
            String before = configMaps.withName("cfg").get().getMetadata().getUid();
            // Released 3 s after the delete was asked for: the step must still be waiting then.
            try (var hold = FinalizerHold.add(configMaps.withName("cfg"))
                    .releaseWhenDeleting(Duration.ofSeconds(3), Duration.ofSeconds(60))) {
                h.delete(addr);
                h.apply(addr, spec);  // the create half, at once
                assertTrue(hold.released(Duration.ofSeconds(60)), "the held ConfigMap was deleted");
            }
            var after = configMaps.withName("cfg").get();
            assertNotNull(after, "the replacement's object is there once the finalizer let the old one go: " + h.progress);
            assertNotEquals(before, after.getMetadata().getUid(), "a new object");
            assertNull(after.getMetadata().getDeletionTimestamp());
            assertEquals(Action.NOOP, h.plan(addr, spec).action(), "the replacement is recorded as it is live");
            assertTrue(h.progress.stream().anyMatch(l -> l.startsWith("waiting up to 300s for ConfigMap " + ns + "/cfg to be gone")
                    && l.contains(FinalizerHold.FINALIZER)), h.progress.toString());
        }
    }
}

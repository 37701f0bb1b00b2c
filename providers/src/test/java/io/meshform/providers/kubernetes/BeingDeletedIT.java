package io.meshform.providers.kubernetes;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.PlannedChange;
import io.meshform.providers.Harness;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.FinalizerHold;
import io.meshform.testkit.LiveClusterTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A recorded object that is being deleted is planned as a replacement, not as "matches". A destroy stopped or timed out
 * while {@link DeleteWait} waited leaves it so, with the state still recording it (as the destroy says); its fields
 * still match the stack, so plan said "No changes" and drift "No drift" of an object that vanishes once its finalizer
 * goes. Here a finalizer of another client holds each object.
 */
@LiveClusterTest
class BeingDeletedIT {
    @Test
    void aManifestWhoseDeleteTimedOutIsPlannedAsAReplacement(ClusterContext cluster) {
        String ns = cluster.newNamespace();
        var configMaps = cluster.client().configMaps().inNamespace(ns);
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of())) {
            String addr = "kubernetes.manifest.cfg";
            var spec = yaml("manifest:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: cfg, namespace: " + ns + "}\n"
                    + "  data: {mode: a}\nwait: {field: data.mode, value: a, timeoutSeconds: 1}\n");
            h.apply(addr, spec);
            FinalizerHold hold = FinalizerHold.add(configMaps.withName("cfg"));
            try (hold) {
                var a = io.meshform.engine.model.ResourceAddress.parse(addr);
                var recorded = h.state.get(a);
                RuntimeException e = assertThrows(RuntimeException.class, () -> h.delete(addr));
                assertTrue(e.getMessage().contains("still there after 1s"), e.getMessage());
                h.state.put(a, recorded);  // the engine forgets a record only once its delete has returned
                PlannedChange c = h.plan(addr, spec);
                assertEquals(Action.REPLACE, c.action(), c.reason());
                assertTrue(c.reason().startsWith("ConfigMap " + ns + "/cfg is being deleted since ")
                        && c.reason().contains("held by finalizer(s) " + FinalizerHold.FINALIZER), c.reason());
            }
        }
    }

    @Test
    void aTerminatingNamespaceIsPlannedAsAReplacement(ClusterContext cluster) {
        String name = "mf-being-deleted-" + Long.toHexString(System.nanoTime());
        var client = cluster.client();
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of())) {
            String addr = "kubernetes.namespace.ns";
            var spec = yaml("name: " + name + "\n");
            h.apply(addr, spec);
            client.configMaps().inNamespace(name).resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                    .withNewMetadata().withName("held").endMetadata().build()).create();
            FinalizerHold hold = FinalizerHold.add(client.configMaps().inNamespace(name).withName("held"));
            try (hold) {
                client.namespaces().withName(name).delete();  // as a destroy stopped while it waited leaves it
                PlannedChange c = h.plan(addr, spec);
                assertEquals(Action.REPLACE, c.action(), c.reason());
                assertTrue(c.reason().startsWith("namespace " + name + " is being deleted since ")
                        && c.reason().contains("held by finalizer(s) kubernetes"), c.reason());
            } finally {
                client.namespaces().withName(name).delete();
            }
        }
    }
}

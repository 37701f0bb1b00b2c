package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.FinalizerHold;
import io.meshform.testkit.LiveClusterTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A destroy that stopped while it waited for an object to be gone (here its wait's bound passed; Ctrl-C, SIGTERM and a
 * lost lock leave the same) keeps the state's record, as it says, and the object stays, being deleted, until its
 * finalizer goes. plan said "No changes. The cluster matches the stack" and drift "No drift" of it; they now say it is
 * being deleted, and drift does not call it a change made outside meshform (the delete was meshform's own).
 */
@LiveClusterTest
class StoppedDestroyIT {
    @TempDir
    Path dir;

    @Test
    void anObjectADestroyLeftBeingDeletedIsNotReportedAsMatching(ClusterContext cluster) throws IOException {
        String ns = cluster.newNamespace();
        Path stack = dir.resolve("meshform.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: stopped-destroy}
                resources:
                  - type: kubernetes.manifest
                    name: cm
                    spec:
                      manifest:
                        apiVersion: v1
                        kind: ConfigMap
                        metadata: {name: held, namespace: %s}
                        data: {a: b}
                      wait: {field: data.a, value: b, timeoutSeconds: 1}
                """.formatted(ns));
        LiveRun apply = LiveRun.of(cluster, stack, "apply", "--auto-approve", "--no-analyze");
        assertEquals(0, apply.code(), apply.out());
        var held = cluster.client().configMaps().inNamespace(ns).withName("held");
        FinalizerHold hold = FinalizerHold.add(held);
        try (hold) {
            LiveRun destroy = LiveRun.of(cluster, stack, "destroy", "--auto-approve", "--no-analyze");
            assertEquals(1, destroy.code(), destroy.out());
            assertTrue(destroy.out().contains("still there after 1s"), destroy.out());

            LiveRun plan = LiveRun.of(cluster, stack, "plan", "--detailed-exitcode", "--no-analyze");
            assertEquals(2, plan.code(), plan.out());
            assertTrue(plan.out().contains("# kubernetes.manifest.cm will be replaced (ConfigMap " + ns + "/held is being"
                    + " deleted since "), plan.out());
            LiveRun drift = LiveRun.of(cluster, stack, "drift", "--no-analyze");
            assertEquals(2, drift.code(), drift.out());
            assertTrue(drift.out().contains("kubernetes.manifest.cm: ConfigMap " + ns + "/held is being deleted since "),
                    drift.out());
            assertFalse(drift.out().contains("changed outside meshform"), drift.out());
        }
    }
}

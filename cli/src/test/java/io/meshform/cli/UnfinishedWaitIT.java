package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A manifest whose {@code wait:} timed out was "applied but is not Available ... meshform recorded nothing for it; ...
 * apply again", and the apply again found the object as declared and carrying its mark, recorded it without waiting,
 * created what depends on it and said "Apply complete!", while the Deployment was still not Available. The wait is now
 * planned as still owed ("will be waited for" before its dependents), so the apply again waits as the first one did.
 */
@LiveClusterTest
class UnfinishedWaitIT {
    @TempDir
    Path dir;

    @Test
    void applyAgainAfterAWaitTimedOutWaitsAgainBeforeRecordingAndStartingDependents(ClusterContext cluster) throws IOException {
        String ns = cluster.newNamespace();
        Path stack = dir.resolve("meshform.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: unfinished-wait}
                resources:
                  - type: kubernetes.manifest
                    name: app
                    spec:
                      wait: {condition: Available, timeoutSeconds: 2}
                      manifest:
                        apiVersion: apps/v1
                        kind: Deployment
                        metadata: {name: app, namespace: %1$s}
                        spec:
                          replicas: 1
                          selector: {matchLabels: {app: app}}
                          template:
                            metadata: {labels: {app: app}}
                            spec:
                              nodeSelector: {no-such-node: "true"}
                              containers: [{name: c, image: busybox}]
                  - type: kubernetes.manifest
                    name: after
                    dependsOn: [kubernetes.manifest.app]
                    spec:
                      manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: after, namespace: %1$s}, data: {a: b}}
                """.formatted(ns));
        String notAvailable = "kubernetes.manifest.app: Deployment " + ns + "/app was applied but is not Available after 2s";

        LiveRun first = LiveRun.of(cluster, stack, "apply", "--auto-approve", "--no-analyze");
        assertEquals(1, first.code(), first.out());
        assertTrue(first.out().contains(notAvailable), first.out());

        LiveRun again = LiveRun.of(cluster, stack, "apply", "--auto-approve", "--no-analyze");
        assertEquals(1, again.code(), again.out());
        assertTrue(again.out().contains("waiting up to 2s for Deployment " + ns + "/app: Available"), again.out());
        assertTrue(again.out().contains(notAvailable), again.out());
        assertFalse(again.out().contains("Apply complete"), again.out());
        assertNull(cluster.client().configMaps().inNamespace(ns).withName("after").get(), "its dependent did not start");
        LiveRun list = LiveRun.of(cluster, stack, "state", "list");
        assertFalse(list.out().contains("kubernetes.manifest.app"), "not recorded: " + list.out());
    }
}

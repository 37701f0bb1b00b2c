package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A manifest's {@code wait} for a Secret's data field names the value it waits for, the password in base64. The plan
 * masked it (a copy of the data, found in the text), but the state recorded it in clear beside the data's digest.
 * It is now recorded by digest too, and the next plan and drift still find nothing to do.
 */
@LiveClusterTest
class SecretWaitValueIT {
    static final String PASSWORD = "Wait-S3cret-pw-5521";

    @TempDir
    Path dir;

    @Test
    void theValueAWaitForASecretNamesIsNotRecordedInClear(ClusterContext cluster) throws IOException {
        String ns = cluster.newNamespace();
        String b64 = Base64.getEncoder().encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8));
        Path stack = dir.resolve("meshform.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: secret-wait}
                resources:
                  - type: kubernetes.manifest
                    name: db
                    spec:
                      manifest:
                        apiVersion: v1
                        kind: Secret
                        metadata: {name: db, namespace: %s}
                        stringData: {password: "%s"}
                      wait: {field: data.password, value: "%s", timeoutSeconds: 30}
                """.formatted(ns, PASSWORD, b64));
        LiveRun apply = LiveRun.of(cluster, stack, "apply", "--auto-approve", "--no-analyze");
        assertEquals(0, apply.code(), apply.out());
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> !f.getFileName().toString().endsWith(".yaml")).toList()) {
                String text = Files.readString(f);
                assertFalse(text.contains(b64) || text.contains(PASSWORD), f.getFileName() + " holds the password:\n" + text);
            }
        }
        LiveRun plan = LiveRun.of(cluster, stack, "plan", "--detailed-exitcode", "--no-analyze");
        assertEquals(0, plan.code(), "applied: no changes, no wait owed: " + plan.out());
        LiveRun drift = LiveRun.of(cluster, stack, "drift", "--no-analyze");
        assertEquals(0, drift.code(), drift.out());
    }
}

package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C during an apply: the run stops, and its exit code is the one apply's help names. The help said "1 ...
 * interrupted", while a real SIGINT ends the JVM in its shutdown with 130 whatever the command returns.
 */
@LiveClusterTest
class InterruptExitCodeIT {
    @TempDir
    Path dir;

    @Test
    void anApplyStoppedByCtrlCExitsWithTheCodeItsHelpNames(ClusterContext cluster) throws Exception {
        String ns = cluster.newNamespace();
        Path stack = Files.writeString(dir.resolve("meshform.yaml"), """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: interrupted}
                resources:
                  - type: kubernetes.manifest
                    name: slow
                    spec:
                      manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: slow, namespace: %s}, data: {a: b}}
                      wait: {field: status.phase, value: Active, timeoutSeconds: 60}
                """.formatted(ns));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // env --default-signal=INT: a JVM that starts with SIGINT ignored keeps ignoring it (HotSpot installs no
        // handler then), and a non-interactive shell starts its background jobs so, as a CI runner may have started
        // this build; the run must get SIGINT as a terminal's Ctrl-C delivers it.
        Process p = new ProcessBuilder(List.of("env", "--default-signal=INT", java.toString(), "-cp",
                System.getProperty("java.class.path"),
                "io.meshform.cli.Main", "apply", "--auto-approve", "--no-analyze", "-f", stack.toString(),
                "--kubeconfig", cluster.kubeconfigPath().toString())).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                out.append(line).append('\n');
                if (line.contains("waiting up to 60s")) {
                    new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor();
                }
            }
        }
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), out.toString());
        assertTrue(out.toString().contains("Stopped; the lock is released. What was still in flight is not in the state:"
                + " run `meshform plan` to see where the cluster stands."), out.toString());
        assertEquals(130, p.exitValue(), out.toString());
        assertTrue(ExitCodes.APPLY_HELP.contains("\n130  interrupted by Ctrl-C"), ExitCodes.APPLY_HELP);
        assertTrue(ExitCodes.APPLY_HELP.contains(InterruptGuard.GRACE_MILLIS + " ms"), ExitCodes.APPLY_HELP);
    }
}

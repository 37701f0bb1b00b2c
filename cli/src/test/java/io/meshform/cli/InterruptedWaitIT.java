package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An apply stopped (Ctrl-C, SIGTERM or kill -9) while it waits for a manifest's {@code wait}: the object is written, the state
 * does not record it. The next plan said "will be recorded in state; nothing changes in the cluster", and its apply
 * recorded it and created the resource depending on it at once, before the object held what its wait asks for. The
 * wait is still owed: the plan says so, and apply waits before it starts the dependent.
 */
@LiveClusterTest
class InterruptedWaitIT {
    @TempDir
    Path dir;

    @Test
    void afterCtrlCTheOwedWaitIsWaitedForBeforeTheDependents(ClusterContext cluster) throws Exception {
        owedWaitIsWaitedFor("INT", cluster);
    }

    @Test
    void afterSigtermTheOwedWaitIsWaitedForBeforeTheDependents(ClusterContext cluster) throws Exception {
        owedWaitIsWaitedFor("TERM", cluster);
    }

    @Test
    void afterKillNineTheOwedWaitIsWaitedForBeforeTheDependents(ClusterContext cluster) throws Exception {
        owedWaitIsWaitedFor("KILL", cluster);
    }

    private void owedWaitIsWaitedFor(String signal, ClusterContext cluster) throws Exception {
        String ns = cluster.newNamespace();
        Path stack = Files.writeString(dir.resolve("meshform.yaml"), """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: owed-wait}
                resources:
                  - type: kubernetes.manifest
                    name: gate
                    spec:
                      manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: gate, namespace: %1$s}, data: {a: b}}
                      wait: {field: data.ready, value: "yes", timeoutSeconds: 90}
                  - type: kubernetes.manifest
                    name: dependent
                    dependsOn: [kubernetes.manifest.gate]
                    spec:
                      manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: dependent, namespace: %1$s}, data: {c: d}}
                """.formatted(ns));
        String interrupted = stopWhileWaiting(stack, cluster, signal);
        assertTrue(interrupted.contains("waiting up to 90s for ConfigMap " + ns + "/gate: data.ready = yes"), interrupted);
        var configMaps = cluster.client().configMaps().inNamespace(ns);
        assertNotNull(configMaps.withName("gate").get(), "the interrupted apply wrote the object before it waited");

        LiveRun plan = LiveRun.of(cluster, stack, "plan", "--no-analyze");
        assertFalse(plan.out().contains("will be recorded in state"), plan.out());
        // nothing in the object changes: "will be updated in-place" and "1 to change" were untrue
        assertFalse(plan.out().contains("updated in-place"), plan.out());
        assertTrue(plan.out().contains("# kubernetes.manifest.gate will be waited for; nothing in it changes ("), plan.out());
        assertTrue(plan.out().contains("ConfigMap " + ns + "/gate is as declared but not data.ready = yes, and no apply"
                + " finished waiting for it (one was interrupted or timed out while waiting): apply waits up to 90s for it"
                + " before the resources that depend on it"), plan.out());
        assertTrue(plan.out().contains("Plan: 1 to add, 0 to change, 0 to destroy, 1 to wait for."), plan.out());
        LiveRun json = LiveRun.of(cluster, stack, "plan", "--no-analyze", "--json");
        assertTrue(json.out().contains("\"wait\" : true"), json.out());
        // the order apply keeps: the dependent starts once the wait is over (step 2 waits for step 1)
        assertTrue(json.out().contains("\"step\" : 2,\n    \"waits_for\" : [ 1 ]"), json.out());

        // The apply prints as it goes into this buffer (ByteArrayOutputStream is synchronized). The object is edited
        // only once the apply says it waits: it was edited after a fixed 4 s, and an apply that had not yet planned by
        // then (a loaded host) found the object ready and never waited.
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        CompletableFuture<LiveRun> apply = CompletableFuture.supplyAsync(() -> {
            PrintStream ps = new PrintStream(printed, true, StandardCharsets.UTF_8);
            int code = Main.run(new Terminal(ps, ps, new ByteArrayInputStream(new byte[0]), Map.of(), false), "apply",
                    "--auto-approve", "--no-analyze", "-f", stack.toString(), "--kubeconfig", cluster.kubeconfigPath().toString());
            return new LiveRun(code, printed.toString(StandardCharsets.UTF_8));
        });
        String waiting = "kubernetes.manifest.gate: waiting up to 90s";
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!printed.toString(StandardCharsets.UTF_8).contains(waiting)) {
            assertFalse(apply.isDone(), () -> "the apply ended without waiting for the gate:\n" + apply.join().out());
            assertTrue(System.nanoTime() < until, () -> "the apply did not wait for the gate within 60 s:\n"
                    + printed.toString(StandardCharsets.UTF_8));
            Thread.sleep(100);
        }
        Thread.sleep(1_000);  // the dependent must not start meanwhile: a slower host only makes this likelier to hold
        assertFalse(apply.isDone(), () -> apply.join().out());
        assertNull(configMaps.withName("dependent").get(), "the dependent started before the object held its wait");
        configMaps.withName("gate").edit(cm -> {
            cm.getData().put("ready", "yes");
            return cm;
        });
        LiveRun applied = apply.get(60, TimeUnit.SECONDS);
        assertEquals(0, applied.code(), applied.out());
        assertTrue(applied.out().contains("kubernetes.manifest.gate: waiting up to 90s"), applied.out());
        assertTrue(applied.out().contains("kubernetes.manifest.gate: Waiting for it..."), applied.out());
        assertTrue(applied.out().contains("Apply complete! Resources: 1 added, 0 changed, 0 destroyed, 1 waited for."),
                applied.out());
        assertEquals(Map.of("c", "d"), configMaps.withName("dependent").get().getData());

        LiveRun after = LiveRun.of(cluster, stack, "plan", "--no-analyze", "--detailed-exitcode");
        assertEquals(0, after.code(), after.out());
    }

    /** Runs the apply in a JVM of its own and sends it {@code signal} once it waits; what it printed. */
    private static String stopWhileWaiting(Path stack, ClusterContext cluster, String signal) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // env --default-signal=INT: a JVM started with SIGINT ignored (a non-interactive shell's background job) keeps
        // ignoring it; the run must get SIGINT as a terminal's Ctrl-C delivers it.
        Process p = new ProcessBuilder(List.of("env", "--default-signal=INT", java.toString(), "-cp",
                System.getProperty("java.class.path"), "io.meshform.cli.Main", "apply", "--auto-approve", "--no-analyze",
                "-f", stack.toString(), "--kubeconfig", cluster.kubeconfigPath().toString())).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                out.append(line).append('\n');
                if (line.contains("waiting up to")) {
                    new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).start().waitFor();
                }
            }
        }
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), out.toString());
        assertEquals(Map.of("INT", 130, "TERM", 143, "KILL", 137).get(signal), p.exitValue(), out.toString());
        return out.toString();
    }
}

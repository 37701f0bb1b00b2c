package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit's run: the state file and its backup deleted by hand while an apply waits on a manifest's {@code wait:},
 * and the wait then fails. The summary said "The state records every step that finished (serial 2)" with no state file
 * on disk; the run now writes the state it knows again, says so, and the summary is true.
 */
@LiveClusterTest
class StateDeletedDuringApplyIT {
    @TempDir
    Path dir;

    private Path stack(String ns, String waitLine) throws IOException {
        Path stack = dir.resolve("meshform.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: vanished}
                resources:
                  - type: kubernetes.manifest
                    name: slow
                    spec:
                      manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: slow, namespace: %s}, data: {a: %s}}
                %s""".formatted(ns, waitLine.isEmpty() ? "b" : "c", waitLine));
        return stack;
    }

    @Test
    void theStateDeletedDuringAWaitIsWrittenAgainAndTheSummaryIsTrue(ClusterContext cluster) throws Exception {
        String ns = cluster.newNamespace();
        Path stack = stack(ns, "");
        assertEquals(0, LiveRun.of(cluster, stack, "apply", "--auto-approve").code());
        Path state = dir.resolve("meshform.state.json");
        String before = Files.readString(state);

        // An update that waits for what a ConfigMap never has: the wait runs out after 8s.
        stack(ns, "      wait: {field: status.phase, value: Active, timeoutSeconds: 8}\n");
        CompletableFuture<LiveRun> apply = CompletableFuture.supplyAsync(() -> LiveRun.of(cluster, stack, "apply",
                "--auto-approve"));
        // Deleted once the update is applied, while the run waits on it.
        while (!apply.isDone()
                && !"c".equals(cluster.client().configMaps().inNamespace(ns).withName("slow").get().getData().get("a"))) {
            Thread.sleep(100);
        }
        Files.delete(state);
        Files.deleteIfExists(dir.resolve("meshform.state.json.backup"));
        LiveRun run = apply.get();

        assertEquals(1, run.code(), run.out());
        assertTrue(run.out().contains("was applied but is not status.phase = Active after 8s"), run.out());
        assertTrue(Files.exists(state), "the run does not end without the state it knows: " + run.out());
        assertEquals(before, Files.readString(state), "what the run knew: the update was not recorded");
        assertTrue(run.out().contains("meshform.state.json was deleted while this run held the lock"), run.out());
        java.util.regex.Matcher serial = java.util.regex.Pattern.compile("\"serial\": (\\d+)").matcher(before);
        assertTrue(serial.find(), before);
        assertTrue(run.out().contains("The state records every step that finished (serial " + serial.group(1) + ")"),
                run.out());
        LiveRun plan = LiveRun.of(cluster, stack, "plan");
        assertEquals(0, plan.code(), plan.out());
        assertTrue(plan.out().contains("kubernetes.manifest.slow"), "the owed wait is still planned: " + plan.out());
    }

    private static long serial(ClusterContext cluster, String namespace) {
        var secret = cluster.client().secrets().inNamespace(namespace).withName("meshform-state-vanished").get();
        assertTrue(secret != null, "no state Secret in " + namespace);
        return Long.parseLong(secret.getMetadata().getAnnotations().get("meshform.io/serial"));
    }

    /**
     * The state in a Kubernetes Secret, deleted with {@code kubectl delete secret} while the run waits, and the wait then
     * holds: the step was refused with "secrets ... not found (HTTP 404): check that namespace ... exists" and the state
     * was gone. The run now makes the Secret again, with the step, and says so.
     */
    @Test
    void theStateSecretDeletedDuringAWaitIsMadeAgainWithTheStep(ClusterContext cluster) throws Exception {
        String ns = cluster.newNamespace();
        String stateNs = cluster.newNamespace();
        Path stack = stack(ns, "");
        String[] secret = {"--state-secret", stateNs + "/vanished"};
        assertEquals(0, LiveRun.of(cluster, stack, concat(secret, "apply", "--auto-approve")).code());
        long before = serial(cluster, stateNs);

        stack(ns, "      wait: {field: data.ready, value: \"yes\", timeoutSeconds: 60}\n");
        CompletableFuture<LiveRun> apply = CompletableFuture.supplyAsync(() -> LiveRun.of(cluster, stack,
                concat(secret, "apply", "--auto-approve")));
        while (!apply.isDone()
                && !"c".equals(cluster.client().configMaps().inNamespace(ns).withName("slow").get().getData().get("a"))) {
            Thread.sleep(100);
        }
        cluster.client().secrets().inNamespace(stateNs).withName("meshform-state-vanished").delete();
        cluster.client().configMaps().inNamespace(ns).withName("slow").edit(c -> {
            c.getData().put("ready", "yes");
            return c;
        });
        LiveRun run = apply.get();

        assertEquals(0, run.code(), run.out());
        assertTrue(run.out().contains("state Secret " + stateNs + "/meshform-state-vanished was deleted while this run"
                + " held the lock"), run.out());
        assertTrue(serial(cluster, stateNs) > before, "a new version, above the one deleted");
        LiveRun plan = LiveRun.of(cluster, stack, concat(secret, "plan", "--detailed-exitcode"));
        assertEquals(0, plan.code(), "the step is recorded: " + plan.out());
    }

    /** The same with nothing left to record (the wait runs out): the Secret is made again at the end, as it was. */
    @Test
    void theStateSecretDeletedDuringAWaitThatFailsIsMadeAgainAndTheSummaryIsTrue(ClusterContext cluster)
            throws Exception {
        String ns = cluster.newNamespace();
        String stateNs = cluster.newNamespace();
        Path stack = stack(ns, "");
        String[] secret = {"--state-secret", stateNs + "/vanished"};
        assertEquals(0, LiveRun.of(cluster, stack, concat(secret, "apply", "--auto-approve")).code());
        long before = serial(cluster, stateNs);

        stack(ns, "      wait: {field: status.phase, value: Active, timeoutSeconds: 8}\n");
        CompletableFuture<LiveRun> apply = CompletableFuture.supplyAsync(() -> LiveRun.of(cluster, stack,
                concat(secret, "apply", "--auto-approve")));
        while (!apply.isDone()
                && !"c".equals(cluster.client().configMaps().inNamespace(ns).withName("slow").get().getData().get("a"))) {
            Thread.sleep(100);
        }
        cluster.client().secrets().inNamespace(stateNs).withName("meshform-state-vanished").delete();
        LiveRun run = apply.get();

        assertEquals(1, run.code(), run.out());
        assertTrue(run.out().contains("was applied but is not status.phase = Active after 8s"), run.out());
        assertEquals(before, serial(cluster, stateNs), "the state the run knew, under its serial: " + run.out());
        assertTrue(run.out().contains("meshform-state-vanished was deleted while this run held the lock"), run.out());
        assertTrue(run.out().contains("The state records every step that finished (serial " + before + ")"), run.out());
    }

    private static String[] concat(String[] options, String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + options.length);
        System.arraycopy(options, 0, all, args.length, options.length);
        return all;
    }
}

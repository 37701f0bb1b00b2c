package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.state.ResourceState;
import io.meshform.state.StateCodec;
import io.meshform.state.StateSnapshot;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * meshform killed with SIGKILL in the middle of an apply, at many points: the state always parses, its serial
 * never goes down, every resource it lists exists in the cluster, and a re-run converges to no changes. Also:
 * two applies started together on one state, exactly one proceeds.
 */
@LiveClusterTest
class CrashIT {
    private static final int OBJECTS = 40;

    @TempDir
    Path dir;

    private Path stack(String namespace) throws IOException {
        StringBuilder sb = new StringBuilder("apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: crash}\nresources:\n");
        for (int i = 0; i < OBJECTS; i++) {
            sb.append("  - type: kubernetes.manifest\n    name: cm-").append(i).append('\n')
                    .append("    spec:\n      manifest:\n        apiVersion: v1\n        kind: ConfigMap\n")
                    .append("        metadata: {name: cm-").append(i).append(", namespace: ").append(namespace).append("}\n")
                    .append("        data: {index: \"").append(i).append("\"}\n");
        }
        Path p = dir.resolve("stack.yaml");
        Files.writeString(p, sb.toString());
        return p;
    }

    private List<String> args(ClusterContext cluster, Path stack, String... command) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of("-f", stack.toString(), "--state", dir.resolve("state.json").toString(),
                "--kubeconfig", cluster.kubeconfigPath().toString()));
        return all;
    }

    /** The CLI in a child JVM, so it can be killed for real. */
    private static Process start(List<String> args) throws IOException {
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        argv.addAll(args);
        return new ProcessBuilder(argv).redirectErrorStream(true).start();
    }

    /**
     * Reads {@code p}'s output until it has printed its plan ({@code steps} 0) or started its {@code steps}-th step
     * ("...: Creating..."): true then, false when it ended first. Bounded, so a run that hangs fails the test.
     */
    private static boolean reached(Process p, int steps) throws Exception {
        CompletableFuture<Boolean> seen = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                int started = 0;
                for (String line; (line = out.readLine()) != null; ) {
                    if (steps == 0 ? line.startsWith("Plan:") : line.endsWith(": Creating...") && ++started == steps) {
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                return false;
            }
        });
        try {
            return seen.get(2, TimeUnit.MINUTES);
        } catch (TimeoutException e) {
            p.destroyForcibly();
            throw new AssertionError("meshform apply printed neither its plan nor its steps within 2 minutes", e);
        }
    }

    private static String finish(Process p) throws InterruptedException, IOException {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), "meshform did not finish");
        return out;
    }

    private static int runInProcess(List<String> args, StringBuilder output) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        int code = Main.run(new Terminal(ps, ps, new ByteArrayInputStream(new byte[0]), Map.of(), false), args.toArray(String[]::new));
        output.append(buf.toString(StandardCharsets.UTF_8));
        return code;
    }

    @Test
    void killedAtManyPointsTheStateStaysTrueAndApplyConverges(ClusterContext cluster) throws Exception {
        String namespace = cluster.newNamespace();
        Path stack = stack(namespace);
        Path stateFile = dir.resolve("state.json");
        Random random = new Random(42);
        long lastSerial = 0;
        int kills = 0;
        for (int round = 0; round < 10; round++) {
            Process p = start(args(cluster, stack, "apply", "--auto-approve", "--parallelism", "1"));
            // Killed at a point of the apply's own progress, not after a fixed delay (a faster apply outran the
            // delays): once its plan is printed, before any step, or while its 1st, 2nd or 3rd step is under way.
            // At most three objects per round, so every round of the ten still has steps left to interrupt.
            int steps = random.nextInt(4);
            if (reached(p, steps)) {
                p.destroyForcibly().waitFor();
                kills++;
            }
            p.waitFor();
            if (Files.exists(stateFile)) {
                StateSnapshot s = new StateCodec().decode(Files.readAllBytes(stateFile), stateFile.toString());
                assertTrue(s.serial() >= lastSerial, "serial went down: " + lastSerial + " -> " + s.serial());
                lastSerial = s.serial();
                for (ResourceState r : s.resources()) {
                    String name = r.address().substring(r.address().lastIndexOf('.') + 1);
                    assertNotNull(cluster.client().configMaps().inNamespace(namespace).withName(name).get(),
                            r.address() + " is in the state but not in the cluster");
                }
            }
            // A killed run leaves nothing to unlock: the kernel released its OS lock, so the next run starts at once.
            StringBuilder out = new StringBuilder();
            int code = runInProcess(args(cluster, stack, "plan"), out);
            assertTrue(code == 0 || code == 2, "plan right after the kill:\n" + out);
            assertFalse(out.toString().contains("locked"), out.toString());
        }
        assertTrue(kills >= 5, "only " + kills + " runs were killed mid-apply; the test did not test much");

        Process last = start(args(cluster, stack, "apply", "--auto-approve"));
        String out = finish(last);
        assertEquals(0, last.exitValue(), out);
        StringBuilder plan = new StringBuilder();
        assertEquals(0, runInProcess(args(cluster, stack, "plan", "--detailed-exitcode"), plan), plan.toString());
        assertEquals(OBJECTS, cluster.client().configMaps().inNamespace(namespace).list().getItems().stream()
                .filter(c -> c.getMetadata().getName().startsWith("cm-")).count());
    }

    @Test
    void sigtermFinishesTheStepsInFlightSavesStateAndReleasesTheLock(ClusterContext cluster) throws Exception {
        String namespace = cluster.newNamespace();
        Path stack = stack(namespace);
        Process p = start(args(cluster, stack, "apply", "--auto-approve", "--parallelism", "1"));
        StringBuilder seen = new StringBuilder();
        var reader = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        // Wait until some steps have finished, then ask it to stop as a pipeline's cancel button would.
        for (String line; (line = reader.readLine()) != null; ) {
            seen.append(line).append('\n');
            if (line.contains("cm-3: Creation complete")) {
                break;
            }
        }
        // Process.destroy() would send the same SIGTERM but also close our end of its output.
        new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
        reader.lines().forEach(l -> seen.append(l).append('\n'));
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), seen.toString());
        assertTrue(p.exitValue() != 0, "an interrupted apply exits non-zero:\n" + seen);
        assertTrue(seen.toString().contains("Interrupt received"), seen.toString());
        // The lock file stays (deleting it could let two runs lock two files); a released lock names no holder.
        assertEquals("", Files.readString(dir.resolve("state.json.lock")), "the lock is released:\n" + seen);
        StateSnapshot s = new StateCodec().decode(Files.readAllBytes(dir.resolve("state.json")), "state.json");
        assertTrue(s.resources().size() >= 4 && s.resources().size() < OBJECTS,
                "the finished steps, and only those, are recorded: " + s.resources().size());
        for (ResourceState r : s.resources()) {
            String name = r.address().substring(r.address().lastIndexOf('.') + 1);
            assertNotNull(cluster.client().configMaps().inNamespace(namespace).withName(name).get(), r.address());
        }
    }

    @Test
    void twoAppliesOnOneStateExactlyOneProceeds(ClusterContext cluster) throws Exception {
        String namespace = cluster.newNamespace();
        Path stack = stack(namespace);
        Process first = start(args(cluster, stack, "apply", "--auto-approve", "--parallelism", "1"));
        Process second = start(args(cluster, stack, "apply", "--auto-approve", "--parallelism", "1"));
        String out1 = finish(first);
        String out2 = finish(second);
        List<Integer> codes = List.of(first.exitValue(), second.exitValue());
        assertTrue(codes.contains(0) && codes.contains(1), "exit codes " + codes + "\n" + out1 + "\n" + out2);
        String loser = first.exitValue() == 1 ? out1 : out2;
        assertTrue(loser.contains("locked") && loser.contains("pid"), loser);
    }
}

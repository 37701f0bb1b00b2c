package io.meshform.providers.istio.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.spi.ProgressSink;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * istioctl cannot outlive meshform: a stand-in istioctl that starts a grandchild and sleeps is run under the
 * watchdog, and meshform is killed with SIGKILL, paused with SIGSTOP, or times it out; each time the whole process
 * group is gone within seconds.
 */
class IstioctlWatchdogTest {

    @TempDir
    Path dir;

    /** A stand-in istioctl: records its pid and its grandchild's, then waits for a long time. */
    private Path slowIstioctl() throws IOException {
        Path script = dir.resolve("istioctl");
        Files.writeString(script, """
                #!/bin/sh
                sleep 300 &
                echo $! > %1$s/grandchild.pid
                echo $$ > %1$s/istioctl.pid
                echo "Processing resources for Istio core."
                sleep 300
                """.formatted(dir));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    private long pid(String name) throws Exception {
        Path f = dir.resolve(name + ".pid");
        for (int i = 0; i < 100 && !Files.exists(f); i++) {
            Thread.sleep(50);
        }
        for (int i = 0; i < 20 && Files.readString(f).isBlank(); i++) {
            Thread.sleep(50);
        }
        return Long.parseLong(Files.readString(f).strip());
    }

    private static boolean goneWithin(long pid, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            if (ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** The process group of {@code pid}: the fifth field of /proc/PID/stat (after the command in parentheses). */
    private static String pgid(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[2];
    }

    private Process runner() throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                IstioctlRunner.class.getName(), slowIstioctl().toString(), "install", "-y")
                .redirectErrorStream(true).start();
    }

    private static String awaitLine(BufferedReader r, String prefix) throws IOException {
        for (String line; (line = r.readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new IllegalStateException("no line starting with " + prefix);
    }

    @Test
    void killingMeshformWithSigkillStopsIstioctlAndWhatItStarted() throws Exception {
        Process meshform = runner();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(meshform.getInputStream(), StandardCharsets.UTF_8));
            long watchdog = Long.parseLong(awaitLine(out, "STARTED ").substring(8));
            awaitLine(out, "NOTE Processing resources");
            long istioctl = pid("istioctl");
            long grandchild = pid("grandchild");
            assertEquals(pgid(istioctl), pgid(grandchild));
            assertNotEquals(pgid(meshform.pid()), pgid(istioctl), "istioctl runs in a process group of its own");

            meshform.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            assertTrue(goneWithin(istioctl, 4_000), "istioctl outlived meshform");
            assertTrue(goneWithin(grandchild, 4_000), "istioctl's own child outlived meshform");
            assertTrue(goneWithin(watchdog, 4_000), "the watchdog exits once the group is gone");
        } finally {
            meshform.destroyForcibly();
        }
    }

    @Test
    void pausingMeshformStopsIstioctlOnceItIsSilentTooLong() throws Exception {
        Process meshform = runner();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(meshform.getInputStream(), StandardCharsets.UTF_8));
            awaitLine(out, "NOTE Processing resources");
            long istioctl = pid("istioctl");
            new ProcessBuilder("bash", "-c", "kill -STOP " + meshform.pid()).start().waitFor();
            long stopped = System.nanoTime();
            assertTrue(goneWithin(istioctl, (Watchdog.SILENCE_SECONDS + 4) * 1000L), "istioctl ran on while meshform was paused");
            long after = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
            assertTrue(after >= (Watchdog.SILENCE_SECONDS - 1) * 1000L, "stopped after only " + after + " ms");
            new ProcessBuilder("bash", "-c", "kill -CONT " + meshform.pid()).start().waitFor();
            String exit = awaitLine(out, "EXIT ");
            assertNotEquals("EXIT 0", exit);
        } finally {
            meshform.destroyForcibly();
        }
    }

    @Test
    void aTimeoutStopsTheWholeGroupAndSaysSo() throws Exception {
        Istioctl istioctl = new Istioctl(slowIstioctl().toString(), "test", null, null);
        long start = System.nanoTime();
        DiagnosticsException e = assertThrows(DiagnosticsException.class,
                () -> istioctl.run(List.of("install"), Duration.ofSeconds(1), ProgressSink.NONE, false));
        assertTrue(e.getMessage().contains("did not finish within 1s"), e.getMessage());
        assertTrue(goneWithin(pid("istioctl"), 3_000));
        assertTrue(goneWithin(pid("grandchild"), 3_000));
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) < 8);
    }

    /**
     * The watchdog ends with its child: the child's exit code and every line it printed come back, and nothing of the
     * watchdog's session (its helper that reads the heartbeat) is left behind once the run returns.
     */
    @Test
    void aChildThatEndsOnItsOwnEndsTheWatchdogAndLeavesNothingBehind() throws Exception {
        Path script = dir.resolve("istioctl");
        Files.writeString(script, """
                #!/bin/sh
                echo "first line"
                echo "a warning" >&2
                echo "last line"
                exit 3
                """);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        List<Long> watchdogs = new ArrayList<>();
        ProgressSink progress = new ProgressSink() {
            @Override
            public void note(String message) {
            }

            @Override
            public synchronized void childStarted(ProcessHandle child) {
                watchdogs.add(child.pid());
            }
        };
        Istioctl.Result r = new Istioctl(script.toString(), "test", null, null)
                .run(List.of("version"), Duration.ofMinutes(1), progress, false);
        assertEquals(3, r.exit());
        assertEquals(List.of("first line", "last line"), r.stdout());
        assertEquals(List.of("a warning"), r.stderr());
        assertEquals(1, watchdogs.size());
        long session = watchdogs.get(0);
        assertTrue(goneWithin(session, 3_000), "the watchdog outlived its child");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        List<Long> left = inSession(session);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            left = inSession(session);
        }
        assertEquals(List.of(), left, "processes of the watchdog's session outlived it");
    }

    /**
     * What istioctl writes to stderr is all meshform reads from it. With job control on, bash reports a job that has
     * ended ({@code [1]+  Exit 3  "$@" < /dev/null}) on its own stderr, and it did so whenever the command ended before
     * the watchdog turned job control off again: a race (5 of 300 quick runs on this machine, more under a loaded
     * build), here made certain by a DEBUG trap (read from BASH_ENV, as bash -c reads it) that waits before
     * {@code set +m}.
     */
    @Test
    void bashsJobNoticesNeverReachTheCommandsStderr() throws Exception {
        String script;
        try (var in = Watchdog.class.getResourceAsStream("watchdog.sh")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Path slow = dir.resolve("slow.env");
        Files.writeString(slow, "trap '[ \"$BASH_COMMAND\" = \"set +m\" ] && sleep 0.2' DEBUG\n");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script, "meshform-watchdog", "5", "sh", "-c",
                "echo 'a warning' >&2; exit 3");
        pb.environment().put("BASH_ENV", slow.toString());
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        p.getOutputStream().write("go\n".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().flush();
        List<String> stderr;
        try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            stderr = err.lines().toList();
        }
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the watchdog did not end with its command");
        assertEquals(3, p.exitValue());
        assertEquals(List.of("a warning"), stderr);
    }

    /** Processes whose session (the sixth field of /proc/PID/stat) is {@code session}: the watchdog runs under setsid. */
    private static List<Long> inSession(long session) throws IOException {
        List<Long> found = new ArrayList<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(d -> d.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (Long.parseLong(fields[3]) == session) {
                        found.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // the process ended while we looked
                }
            }
        }
        return found;
    }

    @Test
    void aRunThatMayNoLongerChangeTheClusterStopsItsIstioctl() throws Exception {
        Istioctl istioctl = new Istioctl(slowIstioctl().toString(), "test", null, null);
        AtomicBoolean lockHeld = new AtomicBoolean(true);
        List<String> events = new ArrayList<>();
        ProgressSink progress = new ProgressSink() {
            @Override
            public void note(String message) {
                if (message.startsWith("Processing")) {
                    lockHeld.set(false); // the lock is lost while istioctl works
                }
            }

            @Override
            public synchronized void childStarted(ProcessHandle child) {
                events.add("started " + child.pid());
            }

            @Override
            public synchronized void childEnded(ProcessHandle child) {
                events.add("ended " + child.pid());
            }

            @Override
            public boolean mayContinue() {
                return lockHeld.get();
            }
        };
        Istioctl.Result r = istioctl.run(List.of("install"), Duration.ofMinutes(5), progress, false);
        assertNotEquals(0, r.exit());
        assertTrue(r.tail(3).contains("meshform exited or asked to stop"), r.tail(3));
        assertTrue(goneWithin(pid("grandchild"), 3_000));
        assertEquals(2, events.size(), events.toString());
        assertEquals(events.get(0).replace("started", "ended"), events.get(1));
        assertFalse(ProcessHandle.of(Long.parseLong(events.get(0).substring(8))).map(ProcessHandle::isAlive).orElse(false));
    }
}

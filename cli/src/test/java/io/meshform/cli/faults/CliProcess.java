package io.meshform.cli.faults;

import io.meshform.testkit.Testbed;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One meshform command run as a user runs it, in a JVM of its own (so that it can really be killed, paused and
 * signalled): its output (stdout and stderr together) is collected line by line as it comes.
 */
final class CliProcess implements AutoCloseable {
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;
    private final String command;

    private CliProcess(Process process, String command) {
        this.process = process;
        this.command = command;
        this.reader = new Thread(this::readAll, "cli-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts {@code bin/meshform ARGS}, the launcher a user runs, on the jar this build packaged (never rebuilding
     * it: MESHFORM_NO_BUILD). Without the jar (tests run without the package phase) the test fails and says so.
     */
    static CliProcess start(List<String> args) {
        Path root = Testbed.findRepoRoot().orElseThrow(() -> new IllegalStateException("not inside a meshform checkout"));
        Path jar = root.resolve("cli/target/meshform.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: the fault suite runs the packaged CLI (mvn verify builds it)");
        }
        List<String> argv = new ArrayList<>(List.of(root.resolve("bin/meshform").toString()));
        argv.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().put("MESHFORM_NO_BUILD", "1");
        try {
            return new CliProcess(pb.start(), String.join(" ", args));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void readAll() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // the process is gone
        } finally {
            synchronized (lines) {
                lines.notifyAll();
            }
        }
    }

    long pid() {
        return process.pid();
    }

    String command() {
        return command;
    }

    /** Waits until {@code count} output lines match; false when the process ended or the time ran out first. */
    boolean awaitLines(Predicate<String> match, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            while (true) {
                if (lines.stream().filter(match).count() >= count) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!reader.isAlive() && !process.isAlive())) {
                    return false;
                }
                try {
                    lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, 200_000_000L))));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
    }

    int count(Predicate<String> match) {
        synchronized (lines) {
            return (int) lines.stream().filter(match).count();
        }
    }

    /** The output so far. */
    String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    /** Lines from index {@code from} on. */
    List<String> linesFrom(int from) {
        synchronized (lines) {
            return List.copyOf(lines.subList(Math.min(from, lines.size()), lines.size()));
        }
    }

    int lineCount() {
        synchronized (lines) {
            return lines.size();
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    void kill9() {
        signal("KILL");
        waitFor(Duration.ofSeconds(30));
    }

    /** Sends a signal with bash's own kill (no procps needed). */
    void signal(String name) {
        try {
            new ProcessBuilder("bash", "-c", "kill -" + name + " " + process.pid()).start().waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The exit code, or -1 when it has not ended within {@code timeout}. */
    int waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return -1;
            }
            reader.join(5_000);
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Runs to the end (failing the caller's test with the output when it takes longer than {@code timeout}). */
    int finish(Duration timeout) {
        int code = waitFor(timeout);
        if (code == -1) {
            close();
            throw new AssertionError("meshform " + command + " did not finish within " + timeout + ":\n" + output());
        }
        return code;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            signal("CONT");
            process.destroyForcibly();
        }
    }
}

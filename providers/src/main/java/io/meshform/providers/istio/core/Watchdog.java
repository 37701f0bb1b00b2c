package io.meshform.providers.istio.core;

import io.meshform.engine.spi.ProgressSink;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs a child process (istioctl) so that it cannot outlive meshform: under {@code watchdog.sh} (bash), in a
 * process group of its own, in a session of its own where {@code setsid} exists (so that a signal to meshform's
 * group reaches the watchdog only through meshform). The watchdog stops the whole group when meshform's end of its
 * stdin closes (meshform exited, crashed or was killed with SIGKILL: the kernel closes the pipe), when meshform
 * stops sending a heartbeat for {@link #SILENCE_SECONDS} (paused with SIGSTOP, or hung), or when asked to.
 *
 * <p>Java cannot put a child in a new process group, nor signal a group; a few lines of bash can, and bash is on
 * every machine meshform supports. Without bash the child runs directly, and is only stopped by meshform itself.
 */
final class Watchdog {

    /** How long meshform may be silent before its child is stopped: well under the 30 s default lease. */
    static final int SILENCE_SECONDS = 5;
    private static final long HEARTBEAT_MILLIS = 500;

    private final String bash;
    private final String setsid;
    private final String script;

    private Watchdog(String bash, String setsid) {
        this.bash = bash;
        this.setsid = setsid;
        try (InputStream in = Watchdog.class.getResourceAsStream("watchdog.sh")) {
            if (in == null) {
                throw new IllegalStateException("watchdog.sh is missing from meshform's jar");
            }
            this.script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The watchdog of this machine, or empty when it has no bash. */
    static Optional<Watchdog> find() {
        return onPath("bash").map(b -> new Watchdog(b, onPath("setsid").orElse(null)));
    }

    /**
     * Starts {@code command} under the watchdog. The child waits until {@link #release} before it runs, so that the
     * caller can first record the watchdog's pid (which outlives the child) in the state lock.
     */
    Process start(List<String> command) throws IOException {
        return start(command, java.util.Map.of());
    }

    /** {@link #start(List)} with these variables added to the child's environment. */
    Process start(List<String> command, java.util.Map<String, String> environment) throws IOException {
        // The watchdog's shell would start even when the program cannot, and report it only as an exit status:
        // fail here as ProcessBuilder would, so callers still tell "not run" from "ran and refused".
        String program = command.get(0);
        if (program.contains("/") && !java.nio.file.Files.isExecutable(java.nio.file.Path.of(program))) {
            throw new IOException("Cannot run program \"" + program + "\": "
                    + (java.nio.file.Files.exists(java.nio.file.Path.of(program)) ? "not executable" : "no such file"));
        }
        if (!program.contains("/") && onPath(program).isEmpty()) {
            throw new IOException("Cannot run program \"" + program + "\": not found on PATH");
        }
        List<String> argv = new ArrayList<>();
        if (setsid != null) {
            argv.add(setsid);
        }
        argv.addAll(List.of(bash, "-c", script, "meshform-watchdog", Integer.toString(SILENCE_SECONDS)));
        argv.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().putAll(environment);
        return pb.start();
    }

    /**
     * Lets the child run and keeps the watchdog fed from a daemon thread until the process ends, or until
     * {@code progress} says the run may no longer change the cluster (then the watchdog stops the child).
     */
    static Thread release(Process p, ProgressSink progress) throws IOException {
        OutputStream control = p.getOutputStream();
        control.write("go\n".getBytes(StandardCharsets.US_ASCII));
        control.flush();
        Thread t = new Thread(() -> {
            try {
                while (!p.waitFor(HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS)) {
                    if (!progress.mayContinue()) {
                        break;
                    }
                    control.write('\n');
                    control.flush();
                }
            } catch (IOException | InterruptedException e) {
                // the watchdog is gone, or we are asked to stop: closing below ends the child either way
            } finally {
                stop(p);
            }
        }, "meshform-watchdog-heartbeat");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Asks the watchdog to stop its child's group: closing its stdin is the signal. */
    static void stop(Process p) {
        try {
            p.getOutputStream().close();
        } catch (IOException e) {
            // already closed
        }
    }

    /** Absolute PATH entries only ({@link ExecutableLookup}), then /usr/bin and /bin. */
    private static Optional<String> onPath(String name) {
        Optional<String> found = ExecutableLookup.find(name, System.getenv("PATH")).path();
        return found.isPresent() ? found : ExecutableLookup.find(name, "/usr/bin" + File.pathSeparator + "/bin").path();
    }
}

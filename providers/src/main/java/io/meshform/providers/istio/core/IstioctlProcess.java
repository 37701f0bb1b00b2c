package io.meshform.providers.istio.core;

import io.meshform.engine.plan.SensitiveMessage;
import io.meshform.engine.spi.ProgressSink;
import io.meshform.providers.kubernetes.KubeErrors;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One istioctl process, from start to exit: started under meshform's {@link Watchdog} (its own process group, so it
 * is stopped on meshform's exit, SIGTERM, SIGKILL and pause), stdout and stderr read on their own threads and
 * streamed to a {@link ProgressSink}, stopped with everything it started on the timeout or an interrupt. Apart from
 * {@link Istioctl}, which decides what to run (binary, arguments, cluster flags) and whether a remembered answer
 * saves the run: this class knows processes, not istioctl's commands.
 */
final class IstioctlProcess {
    private IstioctlProcess() {
    }

    /**
     * Runs {@code cmd} (the binary first) with {@code env} added to meshform's environment. {@code what} names the
     * command in errors ("istioctl manifest generate ...", without the cluster flags); {@code cannotStart} words the
     * error when the operating system refuses to start it; {@code messages} masks what istioctl's output quotes of the
     * input's sensitive values in the error a timeout gives.
     */
    static Istioctl.Result run(List<String> cmd, java.util.Map<String, String> env, String what, Duration timeout,
                               ProgressSink progress, Function<IOException, RuntimeException> cannotStart,
                               SensitiveMessage messages) {
        Optional<Watchdog> watchdog = Watchdog.find();
        Process p;
        try {
            if (watchdog.isPresent()) {
                p = watchdog.get().start(cmd, env);
            } else {
                ProcessBuilder pb = new ProcessBuilder(cmd);
                pb.environment().putAll(env);
                p = pb.start();
            }
        } catch (IOException e) {
            throw cannotStart.apply(e);
        }
        ProcessHandle handle = p.toHandle();
        List<String> out = java.util.Collections.synchronizedList(new ArrayList<>());
        List<String> err = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread to = pump(p.getInputStream(), out, progress);
        Thread te = pump(p.getErrorStream(), err, progress);
        // Recorded in the state lock before istioctl runs: a lock whose run died is not free while it may still run.
        progress.childStarted(handle);
        Thread heartbeat = null;
        try {
            if (watchdog.isPresent()) {
                heartbeat = Watchdog.release(p, progress);
            } else {
                p.getOutputStream().close();
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                stop(p);
                throw timedOut(what, timeout, err.isEmpty() ? out : err, messages);
            }
            to.join(5000);
            te.join(5000);
        } catch (InterruptedException e) {
            stop(p);
            Thread.currentThread().interrupt();
            throw KubeErrors.error("interrupted while running " + what, null);
        } catch (IOException e) {
            // the watchdog has gone already; its exit code tells the rest
        } finally {
            if (heartbeat != null) {
                heartbeat.interrupt();
            }
            progress.childEnded(handle);
        }
        synchronized (out) {
            synchronized (err) {
                return new Istioctl.Result(p.exitValue(), List.copyOf(out), List.copyOf(err));
            }
        }
    }

    /**
     * Stops istioctl and everything it started: the watchdog stops the process group when its stdin closes and
     * exits once the group is gone; whatever is left after 5 s is killed directly.
     */
    private static void stop(Process p) {
        List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
        Watchdog.stop(p);
        try {
            if (p.waitFor(5, TimeUnit.SECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        all.forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    /**
     * The error of a run stopped at its timeout, quoting istioctl's last output through {@code messages}, as the error
     * of a failed run is: what istioctl printed last may be its complaint about a sensitive value it could not read.
     */
    static RuntimeException timedOut(String what, Duration timeout, List<String> lastOutput, SensitiveMessage messages) {
        return KubeErrors.error(what + " did not finish within " + timeout.toSeconds() + "s",
                "it was stopped; last output:\n" + messages.redact("istioctl", tail(lastOutput, 10)));
    }

    private static String tail(List<String> lines, int n) {
        synchronized (lines) {
            return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        }
    }

    /** istioctl draws its logo in ASCII art; lines without a letter or digit are not progress. */
    static boolean worthShowing(String line) {
        return line.chars().anyMatch(Character::isLetterOrDigit);
    }

    private static Thread pump(InputStream in, List<String> sink, ProgressSink progress) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    sink.add(line);
                    if (progress != ProgressSink.NONE && worthShowing(line)) {
                        progress.note(line);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "istioctl-output");
        t.setDaemon(true);
        t.start();
        return t;
    }
}

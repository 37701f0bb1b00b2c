package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the HTTP requests the shared client sends (retries and discovery included), and keeps the last few
 * as "+MS METHOD path" lines (milliseconds after the first request) for {@code --log-level debug}; of the query, only
 * the Kubernetes API's own parameters keep their values ({@link SafeUrls#query}).
 */
public final class RequestCounter implements Interceptor {
    private static final int KEEP = 200;
    /** Linux's USER_HZ: /proc/[pid]/stat counts a process's start in these ticks since boot (100 on every Linux ABI). */
    private static final double TICKS_PER_SECOND = 100.0;
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong firstAtNanos = new AtomicLong();
    private final AtomicLong firstAtMillis = new AtomicLong();
    private final Deque<String> recent = new ArrayDeque<>();

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        long now = System.nanoTime();
        if (count.incrementAndGet() == 1) {
            firstAtNanos.set(now);
            firstAtMillis.set(System.currentTimeMillis());
        }
        // The query as SafeUrls shows it: a server URL's "?access_token=..." rides along on every request.
        String line = "+" + (now - firstAtNanos.get()) / 1_000_000 + "ms " + request.method() + " " + request.uri().getRawPath()
                + (request.uri().getRawQuery() == null ? "" : "?" + SafeUrls.query(request.uri().getRawQuery()));
        synchronized (recent) {
            recent.addLast(line);
            if (recent.size() > KEEP) {
                recent.removeFirst();
            }
        }
    }

    public long count() {
        return count.get();
    }

    /**
     * Milliseconds from the process's start (the launcher's, which execs the JVM in the same process) to its first
     * request (-1 before one): the start-up cost a user waits for before meshform asks the cluster anything.
     * {@link ProcessHandle.Info#startInstant} is no use here: the JDK adds the start's ticks to the boot time in
     * whole seconds, so it is up to a second early. The process's age from {@code /proc} (10 ms ticks) is not.
     */
    public long firstRequestAfterStartMillis() {
        long first = firstAtMillis.get();
        if (first == 0) {
            return -1;
        }
        OptionalLong age = processAgeMillis();
        return age.isPresent() ? first - (System.currentTimeMillis() - age.getAsLong()) : -1;
    }

    /** How long ago this process started, from /proc/uptime and /proc/self/stat; empty where there is no /proc. */
    static OptionalLong processAgeMillis() {
        try {
            double uptime = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).trim().split("\\s+")[0]);
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // the command name (2nd field) is in parentheses and may hold spaces: count fields after the last ')'
            String[] after = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            long startTicks = Long.parseLong(after[19]); // field 22 of proc(5): starttime; 'after' starts at field 3
            return OptionalLong.of(Math.round((uptime - startTicks / TICKS_PER_SECOND) * 1000));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** The most recent requests, oldest first (at most 200), each as "+MS METHOD path?query". */
    public List<String> recent() {
        synchronized (recent) {
            return List.copyOf(recent);
        }
    }
}

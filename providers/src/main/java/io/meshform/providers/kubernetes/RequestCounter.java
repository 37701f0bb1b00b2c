package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the HTTP requests the shared client sends (retries and discovery included), and keeps the last few
 * as "METHOD path" lines for {@code --log-level debug}.
 */
public final class RequestCounter implements Interceptor {
    private static final int KEEP = 200;
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong firstAtMillis = new AtomicLong();
    private final Deque<String> recent = new ArrayDeque<>();

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        if (count.incrementAndGet() == 1) {
            firstAtMillis.set(System.currentTimeMillis());
        }
        String line = request.method() + " " + request.uri().getRawPath()
                + (request.uri().getRawQuery() == null ? "" : "?" + request.uri().getRawQuery());
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
     * Milliseconds from the process's start to its first request (-1 before one): the start-up cost a user waits
     * for before meshform asks the cluster anything, which BENCHMARKS.md tracks.
     */
    public long firstRequestAfterStartMillis() {
        long first = firstAtMillis.get();
        if (first == 0) {
            return -1;
        }
        return ProcessHandle.current().info().startInstant().map(start -> first - start.toEpochMilli()).orElse(-1L);
    }

    /** The most recent requests, oldest first (at most 200). */
    public List<String> recent() {
        synchronized (recent) {
            return List.copyOf(recent);
        }
    }
}

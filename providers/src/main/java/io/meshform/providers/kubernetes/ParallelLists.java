package io.meshform.providers.kubernetes;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Runs one LIST per collection (kind and namespace) concurrently: a read of a stack spread over ten namespaces
 * otherwise waits for ten round trips in a row. Results keep the order of {@code keys}.
 */
public final class ParallelLists {
    /**
     * Enough to overlap the round trips without flooding the API server's priority and fairness queues. Eight, not
     * four: a stack spread over ten namespaces has five per kind, and with four the fifth LIST waited for a whole
     * round trip after the first answer (N=100 drift, whose comparison waits for the reads: wall 0.90-0.92 in two
     * interleaved loops; BENCHMARKS.md, issue 18, late session: small). The checks' view reads as many at once.
     */
    static final int MAX_CONCURRENT = 8;

    private ParallelLists() {
    }

    public static <K, V> Map<K, V> each(Collection<K> keys, Function<K, V> list) {
        Map<K, V> out = new LinkedHashMap<>();
        if (keys.size() < 2) {
            keys.forEach(k -> out.put(k, list.apply(k)));
            return out;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(MAX_CONCURRENT, keys.size()), r -> {
            Thread t = new Thread(r, "meshform-list");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<V>> futures = new ArrayList<>();
            for (K k : keys) {
                futures.add(pool.submit(() -> list.apply(k)));
            }
            int i = 0;
            for (K k : keys) {
                out.put(k, futures.get(i++).get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("listing objects was interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}

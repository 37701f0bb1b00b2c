package io.meshform.engine.drift;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Drift's comparisons of recorded objects with their live copies, several at once: a type may ask the server while it
 * compares (a server-side dry-run of an object that differs), and at 100 objects the one changed object's dry-run
 * waited behind every comparison before it in the state's order (BENCHMARKS.md, issue 18, 2026-12-04 afternoon). The
 * answer is the one a loop gives: a value per item, and the first item's failure in their order thrown, the later
 * comparisons stopped.
 */
final class Comparisons {
    /** As many as the plan's comparisons (Planner#changes): enough to overlap round trips, few for two cores. */
    private static final int THREADS = 10;

    private Comparisons() {
    }

    /** {@code compare} of each item (null values kept), items' failures thrown in the items' order. */
    static <T, R> Map<T, R> inOrder(List<T> items, Function<T, R> compare) {
        Map<T, R> out = new HashMap<>();
        if (items.size() < 2) {
            items.forEach(i -> out.put(i, compare.apply(i)));
            return out;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(THREADS, items.size()), r -> {
            Thread t = new Thread(r, "meshform-drift");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<R>> futures = new ArrayList<>(items.size());
            for (T item : items) {
                futures.add(pool.submit(() -> compare.apply(item)));
            }
            for (int i = 0; i < items.size(); i++) {
                out.put(items.get(i), futures.get(i).get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("the drift check was interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}

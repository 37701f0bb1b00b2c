package io.meshform.providers.kubernetes;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

/**
 * Work under way in one run, by key: a second ask for the same key while the first is running waits for its answer
 * (or its failure) instead of doing the work again. Nothing is kept once answered, so no answer is older than the ask
 * that uses it. Shared by the run's LISTs ({@link InFlightLists}) and istioctl's offline commands.
 */
public final class InFlight<K, V> {
    private final ConcurrentMap<K, CompletableFuture<V>> running = new ConcurrentHashMap<>();

    /** {@code work}'s answer for {@code key}, or the answer of the same work already under way. */
    public V get(K key, Supplier<V> work) {
        CompletableFuture<V> mine = new CompletableFuture<>();
        CompletableFuture<V> theirs = running.putIfAbsent(key, mine);
        if (theirs != null) {
            try {
                return theirs.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r; // the other asker's failure, e.g. a KubernetesClientException its caller explains
                }
                throw e;
            }
        }
        try {
            V answer = work.get();
            mine.complete(answer);
            return answer;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            running.remove(key, mine);
        }
    }
}

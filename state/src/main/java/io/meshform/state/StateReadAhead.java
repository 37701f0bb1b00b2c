package io.meshform.state;

import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A state file read and decoded on a thread of its own, started before the command has loaded its stack and taken
 * the lock, so that the read under the lock finds the bytes it reads already decoded.
 *
 * <p>Why: at N=1,000 decoding the 630 KB state was 44 samples of the plan's main thread between the stack's load and
 * the first request to the cluster (BENCHMARKS.md, late session: n1000), while the second core idled.
 *
 * <p>Nothing read without the lock is trusted: {@link #take} gives the snapshot only for bytes equal to the ones the
 * locked read got, so what a command works from is still exactly what was in the file while it held the lock. Any
 * failure here (no file, unreadable, corrupt) is dropped: the locked read meets it again and reports it as always.
 */
final class StateReadAhead {
    private record Decoded(byte[] bytes, StateSnapshot snapshot) {
    }

    private final CompletableFuture<Decoded> decoded;

    private StateReadAhead(Callable<byte[]> read, Function<byte[], StateSnapshot> decode) {
        decoded = CompletableFuture.supplyAsync(() -> {
            try {
                byte[] bytes = read.call();
                return bytes == null ? null : new Decoded(bytes, decode.apply(bytes));
            } catch (Exception e) {
                return null;  // the read under the lock reports it
            }
        }, StateReadAhead::daemon);
    }

    /** Reads with {@code read} (null: no file) and decodes with {@code decode}, on a new daemon thread. */
    static StateReadAhead start(Callable<byte[]> read, Function<byte[], StateSnapshot> decode) {
        return new StateReadAhead(read, decode);
    }

    /**
     * What {@code bytes} decode to, if the thread read exactly these bytes; empty otherwise (the file changed
     * meanwhile, or the thread failed), and the caller decodes them itself. Waits for the thread.
     */
    Optional<StateSnapshot> take(byte[] bytes) {
        Decoded d = decoded.exceptionally(e -> null).join();
        return d != null && Arrays.equals(d.bytes(), bytes) ? Optional.of(d.snapshot()) : Optional.empty();
    }

    private static void daemon(Runnable r) {
        Thread t = new Thread(r, "state-read-ahead");
        t.setDaemon(true);  // never keeps a finished (or failed) run alive
        t.start();
    }
}

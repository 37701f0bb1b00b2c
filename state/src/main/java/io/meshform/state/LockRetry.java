package io.meshform.state;

import java.time.Duration;

/** Retries a lock attempt with exponential backoff until a deadline, as every backend waits the same way. */
public final class LockRetry {

    private static final long FIRST_PAUSE_MILLIS = 50;
    private static final long MAX_PAUSE_MILLIS = 1_000;

    /** One try at the lock: a handle, or StateLockedException naming the holder. */
    public interface Attempt {
        LockHandle tryOnce() throws StateLockedException;
    }

    private LockRetry() {
    }

    public static LockHandle acquire(Duration wait, Attempt attempt) throws StateLockedException {
        if (wait == null || wait.isNegative()) {
            throw new IllegalArgumentException("lock wait must be zero or positive, got " + wait);
        }
        long deadline = System.nanoTime() + wait.toNanos();
        long pause = FIRST_PAUSE_MILLIS;
        while (true) {
            try {
                return attempt.tryOnce();
            } catch (StateLockedException held) {
                long left = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
                if (left <= 0) {
                    throw wait.isZero() ? held : held.afterWaiting(wait);
                }
                sleep(Math.min(pause, left));
                pause = Math.min(pause * 2, MAX_PAUSE_MILLIS);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StateException("interrupted while waiting for the state lock; nothing was changed", e);
        }
    }
}

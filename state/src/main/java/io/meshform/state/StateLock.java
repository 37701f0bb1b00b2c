package io.meshform.state;

import java.time.Duration;

/** Keeps two meshform runs from changing the same state at once. */
public interface StateLock {

    /**
     * Takes the lock for {@code info}.
     *
     * @param wait zero fails at once when the lock is held; otherwise retries with backoff until {@code wait}
     *             has elapsed
     * @throws StateLockedException naming the holder when the lock stays held
     */
    LockHandle lock(LockInfo info, Duration wait) throws StateLockedException;

    /**
     * Releases a lock held by someone else, e.g. a crashed run.
     *
     * @throws StateException when the lock is not held, or {@code lockId} is not the current holder's
     */
    void forceUnlock(String lockId);
}

package io.meshform.state;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The local lock files this process holds an OS lock on, and for whom.
 *
 * <p>This is the one process-wide table in meshform, because the thing it mirrors is process-wide: a POSIX record
 * lock ({@code fcntl}, what {@link java.nio.channels.FileChannel#tryLock()} takes on Linux) belongs to the
 * process, not to the channel, and closing ANY descriptor of the file in this process drops it (tried: another
 * process took the lock right after the holder read the file once). So a second backend on the same state in this
 * process must learn about the holder here, without ever opening the lock file.
 */
final class ProcessLocks {

    // Process-wide on purpose (see above): the OS lock it mirrors is per process; every access holds its monitor.
    private static final Map<Path, LockInfo> HELD = new HashMap<>();

    private ProcessLocks() {
    }

    /** Runs {@code action} with the table to itself, so that checking it and opening the file are one step. */
    static <T> T exclusively(java.util.function.Supplier<T> action) {
        synchronized (HELD) {
            return action.get();
        }
    }

    /** Who in this process holds the lock file {@code key}, or null. */
    static LockInfo holder(Path key) {
        synchronized (HELD) {
            return HELD.get(key);
        }
    }

    static void held(Path key, LockInfo holder) {
        synchronized (HELD) {
            HELD.put(key, holder);
        }
    }

    static void released(Path key) {
        synchronized (HELD) {
            HELD.remove(key);
        }
    }
}

package io.meshform.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C or SIGTERM during an apply: start nothing new, let the running steps finish and be recorded, release
 * the lock, then let the JVM exit (non-zero, as the signal demands). The JVM halts once its shutdown hooks
 * return, so the hook waits until this guard is closed: close it after the lock is released.
 */
final class InterruptGuard implements AutoCloseable {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread hook;

    InterruptGuard(Terminal terminal) {
        hook = new Thread(() -> {
            stop.set(true);
            terminal.err().println("Interrupt received: finishing the steps in flight, saving state, releasing the lock...");
            try {
                done.await(10, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "meshform-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Set when an interrupt arrived; the applier checks it before starting each step. */
    AtomicBoolean stopRequested() {
        return stop;
    }

    @Override
    public void close() {
        done.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running; it returns now that the latch is open.
        }
    }
}

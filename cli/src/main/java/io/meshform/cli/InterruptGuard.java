package io.meshform.cli;

import io.meshform.state.LockHandle;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Ctrl-C or SIGTERM: stop within 2 seconds, whatever the command is waiting for (an API server that does not
 * answer can hold a request for 40 s), and never leave the lock behind. The JVM halts once its shutdown hooks
 * return, so the hook is where the deadline is kept: it asks the command to start nothing new, gives the steps in
 * flight {@link #GRACE_MILLIS} to finish and be recorded, then releases the lock itself (which first stops any
 * istioctl recorded in it) and returns.
 *
 * <p>Releasing from here is safe even if the command is still in the middle of something: a released lock fences
 * the state (the backends refuse writes once their lock is closed), and a Kubernetes state write already on the wire
 * carries the resourceVersion this run last saw, so it cannot overwrite a later holder's state.
 */
final class InterruptGuard implements AutoCloseable {
    /** How long the steps in flight get to finish and be recorded. */
    static final long GRACE_MILLIS = 800;
    /** How long releasing the lock may take (a Lease delete to a slow API server); after that the lease expires. */
    static final long RELEASE_MILLIS = 700;

    private final AtomicBoolean stop = new AtomicBoolean();
    private final CountDownLatch done = new CountDownLatch(1);
    private final AtomicReference<LockHandle> lock = new AtomicReference<>();
    private final Thread hook;

    InterruptGuard(Terminal terminal) {
        hook = new Thread(() -> {
            stop.set(true);
            LockHandle held = lock.get();
            if (held == null) {
                return; // nothing to release: the JVM may stop at once
            }
            terminal.err().println("Interrupt received: starting nothing new; work in flight gets "
                    + GRACE_MILLIS + " ms to finish (finished steps are recorded), then the lock is released.");
            try {
                if (done.await(GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            release(terminal, held);
        }, "meshform-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Releases the lock on a thread of its own, waiting at most {@link #RELEASE_MILLIS}. */
    private static void release(Terminal terminal, LockHandle held) {
        Thread releaser = new Thread(() -> {
            try {
                held.close();
            } catch (RuntimeException e) {
                terminal.err().println("could not release the lock: " + io.meshform.engine.diag.ControlChars.escape(e.getMessage()));
            }
        }, "meshform-interrupt-release");
        releaser.setDaemon(true);
        releaser.start();
        try {
            releaser.join(RELEASE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        terminal.err().println(releaser.isAlive()
                ? "Stopped without releasing the lock (" + held.id() + "): the cluster did not answer in time. A "
                        + "Kubernetes lock expires by itself after its lease; or run: meshform force-unlock " + held.id()
                        + ". What was still in flight is not in the state: run `meshform plan` to see where the cluster"
                        + " stands."
                : "Stopped; the lock is released. What was still in flight is not in the state: run `meshform plan` to see"
                        + " where the cluster stands.");
    }

    /** Set when an interrupt arrived; the applier checks it before starting each step. */
    AtomicBoolean stopRequested() {
        return stop;
    }

    /** The lock the command holds now: released by the hook if the command does not finish in time. */
    void holding(LockHandle handle) {
        lock.set(handle);
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

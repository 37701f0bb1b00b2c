package io.meshform.state;

/**
 * A held state lock. Closing releases it, unless someone force-unlocked it meanwhile.
 *
 * <p>A lock can be lost while its holder runs: a Kubernetes Lease expires when its holder is paused (SIGSTOP, a
 * suspended laptop, a frozen VM) past its duration, and another run may then take it. A run must not change the
 * state or the cluster after that, so whoever changes them asks {@link #ensureHeld()} first: the backends before
 * every state write, the applier before every step.
 */
public interface LockHandle extends AutoCloseable {

    /** A stand-in for code that runs without a lock (tests, in-memory stores): always held, records nothing. */
    LockHandle NONE = new LockHandle() {
        @Override
        public String id() {
            return "none";
        }

        @Override
        public void close() {
        }
    };

    String id();

    /**
     * Returns when this run still holds the lock; throws {@link LockLostException} (naming the new holder when
     * known) once it does not, or after {@link #close()}.
     */
    default void ensureHeld() {
    }

    /**
     * Records a child process that changes the cluster on its own (istioctl) in the lock, so that the lock is not
     * judged stale, nor released, while the child may still run.
     */
    default void childStarted(ProcessHandle child) {
    }

    /** The child recorded by {@link #childStarted} has exited. */
    default void childEnded(ProcessHandle child) {
    }

    /**
     * Releases the lock. Children still recorded are stopped first: a released lock promises the next holder
     * that nothing of this run still changes the cluster.
     */
    @Override
    void close();
}

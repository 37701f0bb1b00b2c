package io.meshform.engine.spi;

/**
 * Lets a long provider step (an istioctl install, a rollout wait) show that it is alive, and tells the engine about
 * the child processes it runs, which keep changing the cluster on their own.
 */
@FunctionalInterface
public interface ProgressSink {
    ProgressSink NONE = message -> { };

    void note(String message);

    /**
     * A child process this step started that changes the cluster (istioctl). The engine records it with the state
     * lock before the step lets it go on, so that a run that dies meanwhile does not leave a lock that looks free
     * while the child still works.
     */
    default void childStarted(ProcessHandle child) {
    }

    /** The child reported by {@link #childStarted} has exited. */
    default void childEnded(ProcessHandle child) {
    }

    /**
     * False once the run may no longer change the cluster (it lost its state lock): a step that waits on a child
     * process asks this while it waits, and stops the child.
     */
    default boolean mayContinue() {
        return true;
    }

    /**
     * Why the run may no longer change the cluster, in the lock's own words (released because the run was
     * interrupted; lost to another run; not confirmed), or empty while it may: a step that stops says the true reason.
     */
    default java.util.Optional<String> stopReason() {
        return mayContinue() ? java.util.Optional.empty()
                : java.util.Optional.of("this run lost its state lock, or cannot confirm it still holds it");
    }
}

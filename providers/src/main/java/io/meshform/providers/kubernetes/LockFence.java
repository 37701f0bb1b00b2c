package io.meshform.providers.kubernetes;

import io.meshform.engine.spi.ProgressSink;

/**
 * Stops a step that waits inside itself once the run has lost its state lock ({@link ProgressSink#mayContinue}).
 *
 * <p>The engine checks the lock before each step and each state write, and istioctl's watchdog checks it while istioctl
 * runs; a wait of meshform's own (a delete's, istioctl's foreground deletes', readiness) is neither, and may last the
 * install's {@code timeoutSeconds}. A run paused past its Kubernetes lease (SIGSTOP, a frozen VM, a partition) found
 * itself, once the wait ended, still going on to the step's next cluster writes (after an uninstall's wait, deleting the
 * addons; after an install's, marking istiod, restarting workloads, applying and deleting addons) though another run
 * held the lock and might have applied them again. Issue 14: no cluster write after a run lost its lock.
 */
public final class LockFence {
    private LockFence() {
    }

    /** Throws when the run may no longer change the cluster; {@code doing}: "waiting for ConfigMap ns/x to be gone". */
    public static void check(ProgressSink progress, String address, String doing) {
        if (!progress.mayContinue()) {
            // mayContinue is false when the lock is lost and also when the lock's store cannot say (the API server
            // does not answer past the lease's safe window): either way nothing more may be written.
            throw KubeErrors.error(address + ": stopped " + doing + ": this run lost its state lock, or cannot confirm it"
                            + " still holds it",
                    "another run may hold it now; this run changes nothing more in the cluster, and the state is as the"
                            + " lock's holder leaves it. Run plan to see where the cluster stands");
        }
    }
}

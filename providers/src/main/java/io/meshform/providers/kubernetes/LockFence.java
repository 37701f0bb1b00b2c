package io.meshform.providers.kubernetes;

import io.meshform.engine.spi.ProgressSink;

/**
 * Stops a step that waits inside itself once the run may no longer change the cluster ({@link ProgressSink#stopReason}):
 * it lost its state lock, or its own interrupt released it.
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
        // Not only a lost lock: the run's own interrupt releases it too, and the reason says which.
        progress.stopReason().ifPresent(why -> {
            throw KubeErrors.error(address + ": stopped " + doing + ": " + why,
                    "this run changes nothing more in the cluster and writes nothing more to the state."
                            + " Run plan to see where the cluster stands");
        });
    }
}

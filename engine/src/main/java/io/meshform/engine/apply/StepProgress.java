package io.meshform.engine.apply;

import io.meshform.engine.plan.ResourceChange;
import io.meshform.engine.spi.ProgressSink;
import io.meshform.state.LockHandle;

/** What a step's provider reports: progress lines to the listener, child processes to the state lock. */
final class StepProgress implements ProgressSink {
    private final ResourceChange change;
    private final LockHandle lock;
    private final ApplyListener listener;

    StepProgress(ResourceChange change, LockHandle lock, ApplyListener listener) {
        this.change = change;
        this.lock = lock;
        this.listener = listener;
    }

    @Override
    public void note(String message) {
        listener.progress(change, message);
    }

    @Override
    public void childStarted(ProcessHandle child) {
        lock.childStarted(child);
    }

    @Override
    public void childEnded(ProcessHandle child) {
        lock.childEnded(child);
    }

    @Override
    public boolean mayContinue() {
        return stopReason().isEmpty();
    }

    @Override
    public java.util.Optional<String> stopReason() {
        try {
            lock.ensureHeld();
            return java.util.Optional.empty();
        } catch (RuntimeException e) {
            // the lock says why: interrupted and released by this run, lost to another, or not confirmed in time
            return java.util.Optional.of(e.getMessage() == null || e.getMessage().isBlank()
                    ? "this run lost its state lock, or cannot confirm it still holds it" : e.getMessage());
        }
    }
}

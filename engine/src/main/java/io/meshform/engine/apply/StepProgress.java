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
        try {
            lock.ensureHeld();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}

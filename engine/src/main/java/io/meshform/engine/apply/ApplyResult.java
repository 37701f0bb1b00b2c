package io.meshform.engine.apply;

import io.meshform.engine.plan.ResourceChange;
import io.meshform.state.LockLostException;
import io.meshform.state.StateException;
import io.meshform.state.StateSnapshot;
import java.util.List;
import java.util.Map;

/**
 * What an apply did, what failed (with why), what it never started, and the state it left.
 *
 * @param lockLost set when the run lost its state lock and stopped: the state is then as the run that took the
 *                 lock left it, and {@link #state()} is only what this run last wrote before that
 * @param stateNotWritten set when the state could not be written whole at the end (a full disk): the steps recorded
 *                        before are safe in the local state's journal, which the message says
 */
public record ApplyResult(List<ResourceChange> done, Map<ResourceChange, RuntimeException> failed,
                          List<ResourceChange> notStarted, boolean interrupted, StateSnapshot state,
                          LockLostException lockLost, StateException stateNotWritten) {

    public ApplyResult(List<ResourceChange> done, Map<ResourceChange, RuntimeException> failed,
                       List<ResourceChange> notStarted, boolean interrupted, StateSnapshot state) {
        this(done, failed, notStarted, interrupted, state, null, null);
    }

    public boolean succeeded() {
        return failed.isEmpty() && notStarted.isEmpty() && !interrupted && lockLost == null && stateNotWritten == null;
    }
}

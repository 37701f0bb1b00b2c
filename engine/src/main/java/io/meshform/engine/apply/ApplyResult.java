package io.meshform.engine.apply;

import io.meshform.engine.plan.ResourceChange;
import io.meshform.state.StateSnapshot;
import java.util.List;
import java.util.Map;

/** What an apply did, what failed (with why), what it never started, and the state it left. */
public record ApplyResult(List<ResourceChange> done, Map<ResourceChange, RuntimeException> failed,
                          List<ResourceChange> notStarted, boolean interrupted, StateSnapshot state) {

    public boolean succeeded() {
        return failed.isEmpty() && notStarted.isEmpty() && !interrupted;
    }
}

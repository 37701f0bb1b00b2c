package io.meshform.cli;

import io.meshform.engine.model.Stack;
import io.meshform.engine.plan.Plan;
import io.meshform.engine.plan.PlanBinding;
import io.meshform.engine.plan.PlanOptions;
import io.meshform.engine.plan.Planner;
import io.meshform.engine.plan.SavedPlanReplay;
import io.meshform.state.StateSnapshot;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;

/**
 * The plan an interactive {@code apply} showed and had approved where no state existed yet, checked again once the run
 * holds the lock. Such a plan is made and approved without the lock: the local lock's file is created by the first lock
 * and never deleted ({@code LocalLockFile}), so an apply answered "no", or with no terminal to ask on, left an empty
 * {@code meshform.state.json.lock} as all it did. What was approved is what a saved plan is: bound to the stack's
 * digest, the state (none, lineage {@link Plan#stateLineage()}) and the live objects ({@link PlanBinding#whatMoved}),
 * and to its changes, which planning again under the lock must give back exactly ({@link SavedPlanReplay#differences},
 * compared in the saved file's form). Anything else is refused: the user approved other changes.
 */
final class ApprovedFirstPlan {
    private ApprovedFirstPlan() {
    }

    /** The state to apply {@code approved} on when still none exists: empty, in the history the plan was made for. */
    static StateSnapshot stateFor(Plan approved, String version) {
        return new StateSnapshot(StateSnapshot.CURRENT_FORMAT_VERSION, 0, approved.stateLineage(), version, List.of());
    }

    /**
     * {@code approved} when the world it was made for has not moved while the user read it, under the lock now held;
     * {@code state} is the state read under that lock. Else a refusal that says what moved.
     */
    static Plan confirm(Workspace ws, Plan approved, Stack stack, StateSnapshot state, PlanOptions options, String rerun) {
        List<String> moved = new ArrayList<>(new PlanBinding(ws.registry()).whatMoved(approved, stack, state));
        if (moved.isEmpty()) {
            Plan again = new Planner(ws.registry(), ws.version()).plan(stack, state, options);
            JsonMapper mapper = new JsonMapper();
            moved.addAll(SavedPlanReplay.differences(mapper.readTree(PlanCommand.fileText(approved, ws.terminal())),
                    mapper.readTree(PlanCommand.fileText(again, ws.terminal()))));
        }
        if (moved.isEmpty()) {
            return approved;
        }
        throw new UserError("refused: the plan you approved no longer shows what applying would do; while it waited for"
                + " approval (made without the state lock, as no state existed yet), this changed:\n  - "
                + String.join("\n  - ", moved) + "\nNothing was applied. Run `" + rerun + "` again and review the new plan.");
    }
}

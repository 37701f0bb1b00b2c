package io.meshform.engine.plan;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.Stack;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.ResourceRef;
import io.meshform.engine.spi.StackContext;
import io.meshform.engine.spi.TypeRegistry;
import io.meshform.state.ResourceState;
import io.meshform.state.StateSnapshot;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * Checks that a saved plan still describes the world it was made for: the same resolved stack, the same
 * state (lineage and serial) and the same live objects (resourceVersions). Anything that moved makes the
 * plan stale; applying it could undo someone else's change.
 *
 * <p>Those bindings do not cover the plan's own actions: the file is plain JSON, and its digest is the stack's (an
 * unkeyed digest, documented in docs/plan-json.md), so an editor can change {@code noop} to {@code delete} and keep
 * every binding valid. {@link #inconsistencies} therefore checks that each action is one a plan of this stack and this
 * state can have, and the {@link io.meshform.engine.apply.Applier} checks it again, with lifecycle.preventDestroy, before
 * it starts anything.
 */
public final class PlanBinding {
    /**
     * Who moves the serial. "another apply ran" was untrue of the commonest case, the same plan file applied twice
     * (a re-run pipeline step), and of import and the state commands, which write the state too.
     */
    private static final String WRITTEN_BY = "written by an apply (this plan's own, if it was applied already), an"
            + " import or a state command";

    private final TypeRegistry types;

    public PlanBinding(TypeRegistry types) {
        this.types = types;
    }

    /** What moved since the plan was made; empty when it may be applied. */
    public List<String> whatMoved(Plan plan, Stack stack, StateSnapshot state) {
        List<String> moved = new ArrayList<>();
        if (!plan.stackDigest().equals(stack.digest())) {
            moved.add("the desired-state file " + stack.file() + " (or a variable) changed since the plan was made");
        }
        if (plan.stateSerial() == 0 && state.serial() > 0) {
            moved.add("state was created since the plan was made, which found none (it is now at serial " + state.serial()
                    + "): " + WRITTEN_BY);
        } else if (plan.stateSerial() > 0 && state.serial() == 0) {
            // No state here: its lineage is a fresh one made up for this run, so "another history (lineage ...)"
            // named a history that does not exist (an apply with another --context, whose state file is its own).
            moved.add("there is no state now, and the plan was made with one (lineage " + plan.stateLineage() + ", serial "
                    + plan.stateSerial() + "): this run reads another state than the plan did (check -f, --state,"
                    + " --state-secret and --context), or the state was deleted");
        } else if (!Objects.equals(plan.stateLineage(), state.lineage())) {
            moved.add("the state belongs to another history (lineage " + state.lineage() + ", the plan was made for "
                    + plan.stateLineage() + ")");
        } else if (plan.stateSerial() != state.serial()) {
            moved.add("the state changed since the plan was made (serial " + plan.stateSerial() + " -> " + state.serial()
                    + "): " + WRITTEN_BY);
        }
        Map<String, List<ResourceRef>> byType = new TreeMap<>();
        for (ResourceChange c : plan.changes()) {
            // A deposed object's delete is bound by the state's serial; the applier reads it again before deleting it.
            if (!c.changes() || c.deposed()) {
                continue;
            }
            JsonNode spec = stack.find(c.address()).map(r -> (JsonNode) r.spec())
                    .orElseGet(() -> state.find(c.address()).map(ResourceState::attributes).orElse(null));
            if (spec != null) {
                byType.computeIfAbsent(c.type(), k -> new ArrayList<>()).add(new ResourceRef(c.address(), spec));
            }
        }
        Map<ResourceAddress, LiveObject> live = types.read(StackContext.of(stack), byType);
        for (ResourceChange c : plan.changes()) {
            if (!c.changes() || c.deposed()) {
                continue;
            }
            LiveObject now = live.get(c.address());
            String nowVersion = now == null ? null : now.version();
            if (!Objects.equals(c.liveVersion(), nowVersion)) {
                moved.add(c.address() + ": the live object " + (nowVersion == null ? "was deleted"
                        : c.liveVersion() == null ? "was created" : "changed (version " + c.liveVersion() + " -> " + nowVersion + ")"));
            }
        }
        return moved;
    }

    /**
     * The live objects that moved between the saved plan and the same plan made again: those of the saved plan's
     * unchanged resources, which {@link #whatMoved} does not read (a status update must not make a plan stale). When
     * one moved and planning again differs, the plan is stale, not edited: said as "the file was edited ... against
     * the same managed objects", it sent the user looking for an edit after a {@code kubectl patch} of a managed object.
     */
    public static List<String> liveMoved(Plan saved, Plan replayed) {
        Map<String, ResourceChange> now = new java.util.HashMap<>();
        replayed.changes().forEach(c -> now.put(c.label(), c));
        List<String> moved = new ArrayList<>();
        for (ResourceChange c : saved.changes()) {
            ResourceChange again = now.get(c.label());
            if (c.deposed() || again == null || Objects.equals(c.liveVersion(), again.liveVersion())) {
                continue;
            }
            String nowVersion = again.liveVersion();
            moved.add(c.address() + ": the live object " + (nowVersion == null ? "was deleted"
                    : c.liveVersion() == null ? "was created" : "changed (version " + c.liveVersion() + " -> " + nowVersion + ")"));
        }
        return moved;
    }

    /**
     * The actions of {@code plan} that no plan of this stack and this state can hold; empty when every one can. A
     * plan deletes only what the state records: in a plan that is not a destroy plan, only what the stack no longer
     * declares (a declared resource is replaced, not deleted); a destroy plan only deletes. It creates, updates or
     * replaces only what the stack declares, and names every address once. The stack and state must be the ones the
     * plan is bound to ({@link #whatMoved} found nothing), or these findings say little.
     *
     * <p>What this cannot see: a plan edited into another plan this stack and state could have had (a no-op made an
     * update or a replace of a declared resource, which applies the declared value; a plan made a destroy plan), or an
     * edit of a change's content; {@link SavedPlanReplay} compares every change with the plan made again. And
     * lifecycle.preventDestroy still holds ({@link Planner#refuseProtectedDestroys}, run by the applier).
     */
    public static List<String> inconsistencies(Plan plan, Stack stack, StateSnapshot state) {
        List<String> wrong = new ArrayList<>();
        Set<ResourceAddress> seen = new HashSet<>();
        Set<String> deposedKeys = new HashSet<>();
        for (ResourceChange c : plan.changes()) {
            ResourceAddress a = c.address();
            String what = "the plan " + does(c.action());
            if (c.deposed()) {
                // Beside the resource's own entry, under its address: valid when it deletes an object the state deposed.
                boolean recorded = state.deposed(a.toString()).stream().anyMatch(d -> d.key().equals(c.deposedKey()));
                if (c.action() != Action.DELETE || !recorded || !deposedKeys.add(c.label())) {
                    wrong.add("`" + c.label() + "`: " + what + ", but a plan only deletes a deposed object the state"
                            + " records, once");
                }
                continue;
            }
            if (!seen.add(a)) {
                wrong.add("`" + a + "` is listed more than once; a plan names each resource once");
                continue;
            }
            boolean declared = stack.find(a).isPresent();
            boolean recorded = state.find(a).isPresent();
            if (!declared && !recorded) {
                wrong.add("`" + a + "`: " + what + ", but the stack does not declare it and the state"
                        + " does not record it");
            } else if (plan.destroy() && c.action() != Action.DELETE) {
                wrong.add("`" + a + "`: the plan is a destroy plan, which only deletes, but it " + does(c.action()));
            } else if (c.action() == Action.DELETE && !recorded) {
                wrong.add("`" + a + "`: " + what + ", but the state does not record it; a plan deletes only"
                        + " what the state records");
            } else if (c.action() == Action.DELETE && declared && !plan.destroy()) {
                wrong.add("`" + a + "`: " + what + ", but the stack still declares it; a plan deletes only what"
                        + " the stack no longer declares (or everything, with `plan --destroy`)");
            } else if (c.action() != Action.DELETE && !declared) {
                wrong.add("`" + a + "`: " + what + ", but the stack does not declare it (it is only"
                        + " recorded in the state, so a plan deletes it)");
            }
        }
        return wrong;
    }

    private static String does(Action action) {
        return action == Action.NOOP ? "lists it as unchanged (no-op)" : "would " + action.jsonName() + " it";
    }
}

package io.meshform.engine.plan;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.Stack;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.ResourceRef;
import io.meshform.engine.spi.StackContext;
import io.meshform.engine.spi.TypeRegistry;
import io.meshform.state.ResourceState;
import io.meshform.state.StateSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * Checks that a saved plan still describes the world it was made for: the same resolved stack, the same
 * state (lineage and serial) and the same live objects (resourceVersions). Anything that moved makes the
 * plan stale; applying it could undo someone else's change.
 */
public final class PlanBinding {
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
                    + "): another apply ran");
        } else if (!Objects.equals(plan.stateLineage(), state.lineage())) {
            moved.add("the state belongs to another history (lineage " + state.lineage() + ", the plan was made for "
                    + plan.stateLineage() + ")");
        } else if (plan.stateSerial() != state.serial()) {
            moved.add("the state changed since the plan was made (serial " + plan.stateSerial() + " -> " + state.serial()
                    + "): another apply ran");
        }
        Map<String, List<ResourceRef>> byType = new TreeMap<>();
        for (ResourceChange c : plan.changes()) {
            if (!c.changes()) {
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
            if (!c.changes()) {
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
}

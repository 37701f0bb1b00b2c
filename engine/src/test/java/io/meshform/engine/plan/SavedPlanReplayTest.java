package io.meshform.engine.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.Action;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The options a saved plan is made again with, and how a saved file is told apart from the plan made again. */
class SavedPlanReplayTest {
    private static final ResourceAddress MESH = ResourceAddress.parse("fake.thing.mesh");
    private static final ResourceAddress OLD = ResourceAddress.parse("fake.thing.old");
    private final JsonMapper mapper = new JsonMapper();

    private static ResourceChange change(ResourceAddress a, Action action, String reason, Map<String, String> priv) {
        return new ResourceChange(a, action, reason, null, null, List.of(), List.of(), priv, null, List.of());
    }

    private static Plan plan(boolean destroy, List<ResourceChange> changes, List<ResourceAddress> notPlanned) {
        return new Plan("v", "demo", "d", "l", 1, destroy, changes, List.of(), notPlanned);
    }

    @Test
    void theChangesTellTheOptions() {
        Plan whole = plan(false, List.of(change(MESH, Action.REPLACE, Planner.REPLACE_REQUESTED, Map.of()),
                change(OLD, Action.DELETE, "no longer declared", Map.of(Planner.RELEASE_STEP, "true"))), List.of());
        PlanOptions o = SavedPlanReplay.options(whole);
        assertEquals(Set.of(), o.targets(), "a whole plan targets nothing");
        assertEquals(Set.of(MESH), o.replace());
        assertFalse(o.deleteAdopted(), "an adopted resource was forgotten, not deleted");

        Plan partial = plan(true, List.of(change(OLD, Action.DELETE, "destroy requested", Map.of())), List.of(MESH));
        PlanOptions p = SavedPlanReplay.options(partial);
        assertEquals(Set.of(OLD), p.targets());
        assertTrue(p.destroy() && p.deleteAdopted() && p.replace().isEmpty(), p.toString());
    }

    /** A detail that changed is named by its lines (a pod that went since the plan), a few of each side. */
    @Test
    void differingDetailsAreNamedByTheirLines() {
        Plan replayed = plan(false, List.of(change(MESH, Action.UPDATE, "spec differs", Map.of())), List.of());
        ObjectNode again = new PlanJson().toJson(replayed, true);
        ObjectNode now = again.deepCopy();
        ((ObjectNode) now.at("/resource_changes/0")).putArray("details").add("  pod cortex/api-0: no sidecar").add("b")
                .add("c").add("d").add("e");
        ObjectNode saved = again.deepCopy();
        ((ObjectNode) saved.at("/resource_changes/0")).putArray("details").add("  pod cortex/api-1: no sidecar").add("b");
        assertEquals(List.of("`fake.thing.mesh`: the file's details differ from what planning again gives"
                + "\n      in the file only: pod cortex/api-1: no sidecar"
                + "\n      planned now only: pod cortex/api-0: no sidecar\n      planned now only: c"
                + "\n      planned now only: d\n      ... 1 more line"), SavedPlanReplay.differences(saved, now));
        ObjectNode reordered = again.deepCopy();
        ((ObjectNode) reordered.at("/resource_changes/0")).putArray("details").add("b").add("  pod cortex/api-0: no sidecar")
                .add("c").add("d").add("e");
        assertTrue(SavedPlanReplay.differences(reordered, now).get(0).endsWith("the same lines in another order"));
    }

    @Test
    void eachDifferenceNamesTheResourceAndTheFields() {
        Plan replayed = plan(false, List.of(change(MESH, Action.UPDATE, "spec differs", Map.of())), List.of());
        ObjectNode again = new PlanJson().toJson(replayed, true);
        assertEquals(List.of(), SavedPlanReplay.differences(again.deepCopy(), again));

        ObjectNode edited = again.deepCopy();
        ((ObjectNode) edited.at("/resource_changes/0")).put("reason", "up to date").putArray("details").add("x");
        assertEquals(List.of("`fake.thing.mesh`: the file's details, reason differ from what planning again gives"
                + "\n      in the file only: x"), SavedPlanReplay.differences(edited, again));

        ObjectNode other = new PlanJson().toJson(plan(false, List.of(change(OLD, Action.UPDATE, "spec differs", Map.of())),
                List.of()), true);
        assertEquals(List.of("`fake.thing.old`: the file lists a change, and planning again finds none",
                "`fake.thing.mesh`: planning again lists a change the file does not"), SavedPlanReplay.differences(other, again));
    }
}

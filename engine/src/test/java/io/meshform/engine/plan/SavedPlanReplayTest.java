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

    @Test
    void aWarningPlanningAgainGivesThatTheFileDoesNotShowIsNamed() {
        io.meshform.engine.diag.SourceRange at = new io.meshform.engine.diag.SourceRange("meshform.yaml", 16, 44);
        List<io.meshform.engine.diag.Diagnostic> found = List.of(
                io.meshform.engine.diag.Diagnostic.warning("methods value \"delete\" denies nothing", "use DELETE", at),
                io.meshform.engine.diag.Diagnostic.info("istioctl analyze: 2 more message(s)", null, null));
        ObjectNode again = new PlanJson().toJson(new Plan("v", "demo", "d", "l", 1, false,
                List.of(change(MESH, Action.UPDATE, "spec differs", Map.of())), found, List.of()), true);
        assertEquals(List.of(), SavedPlanReplay.hiddenWarnings(again.deepCopy(), again));

        ObjectNode removed = again.deepCopy();
        removed.putArray("diagnostics");
        assertEquals(List.of("a warning the file does not show: meshform.yaml:16:44: methods value \"delete\" denies nothing"),
                SavedPlanReplay.hiddenWarnings(removed, again), "the warning removed from the file");
        ObjectNode reworded = again.deepCopy();
        ((ObjectNode) reworded.at("/diagnostics/0")).put("detail", "nothing to do");
        assertEquals(1, SavedPlanReplay.hiddenWarnings(reworded, again).size(), "a warning's advice edited");

        // one way: a note, or a warning of the file that planning again no longer gives (a check left out), hides nothing
        ObjectNode onlyWarning = again.deepCopy();
        ((tools.jackson.databind.node.ArrayNode) onlyWarning.get("diagnostics")).remove(1);
        assertEquals(List.of(), SavedPlanReplay.hiddenWarnings(onlyWarning, again));
        ObjectNode noneNow = again.deepCopy();
        noneNow.putArray("diagnostics");
        assertEquals(List.of(), SavedPlanReplay.hiddenWarnings(again, noneNow));
    }

    @Test
    void theChecksASavedPlanLeftOutAreKeptAndShownAsANote() {
        Plan plan = plan(false, List.of(change(MESH, Action.UPDATE, "spec differs", Map.of())), List.of());
        PlanJson json = new PlanJson();
        String text = json.writeSaved(plan, null, Set.of("istio-analyze"));
        assertEquals(Set.of("istio-analyze"), json.savedSkippedChecks(text));
        assertEquals(List.of(PlanJson.skippedNote("istio-analyze")), json.read(text).diagnostics(),
                "show says the check did not run where its warnings would be");
        assertEquals(Set.of(), json.savedSkippedChecks(json.writeSaved(plan, null)));
        assertFalse(json.writeSaved(plan, null).contains("skipped_checks"), "no field when nothing was left out");
    }
}

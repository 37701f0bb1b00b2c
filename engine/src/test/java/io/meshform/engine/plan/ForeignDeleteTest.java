package io.meshform.engine.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.apply.Applier;
import io.meshform.engine.apply.ApplyListener;
import io.meshform.engine.apply.ApplyResult;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.Stack;
import io.meshform.engine.testing.InMemoryCluster;
import io.meshform.engine.testing.MemoryStateStore;
import io.meshform.engine.testing.Stacks;
import io.meshform.state.ResourceState;
import io.meshform.state.StateSnapshot;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** A state entry (edited, or left over) never makes meshform delete an object this state did not make. */
class ForeignDeleteTest {
    private static final ResourceAddress KEEP = ResourceAddress.parse("test.thing.keep");
    private static final ResourceAddress OLD = ResourceAddress.parse("test.thing.old");
    private static final String KEEP_ONLY = """
            resources:
              - {type: test.thing, name: keep, spec: {value: "k"}}
            """;

    @TempDir
    Path dir;

    private final InMemoryCluster cluster = new InMemoryCluster();
    private final Planner planner = new Planner(cluster.registry(), "test");
    private final MemoryStateStore store = new MemoryStateStore();

    private Stack stack(String yaml) {
        return Stacks.load(cluster.registry(), dir, yaml);
    }

    private StateSnapshot state() {
        return store.read().orElse(StateSnapshot.empty("test"));
    }

    private ApplyResult apply(Stack s, Plan p) {
        return new Applier(cluster.registry(), 2, ApplyListener.NONE).apply(s, p, state(), store, new AtomicBoolean());
    }

    private static ObjectNode precious() {
        return JsonNodeFactory.instance.objectNode().put("value", "precious");
    }

    /** The state of KEEP_ONLY, applied, plus an entry for OLD as a pull request could add it. */
    private void editedState(Map<String, String> metadata) {
        Stack s = stack(KEEP_ONLY);
        apply(s, planner.plan(s, state(), PlanOptions.defaults()));
        store.write(state().with(new ResourceState(OLD.toString(), OLD.type(), precious(), metadata)));
    }

    @Test
    void anEntryAddedForAHandMadeObjectIsNeitherDestroyedNorRemovedFromTheStack() {
        cluster.put(OLD, precious());
        editedState(Map.of());
        Stack s = stack(KEEP_ONLY);
        for (PlanOptions options : new PlanOptions[] {PlanOptions.defaults(), PlanOptions.defaults().asDestroy()}) {
            var e = assertThrows(DiagnosticsException.class, () -> planner.plan(s, state(), options));
            String text = e.getMessage();
            assertTrue(text.contains("`test.thing.old`: refusing to destroy thing old: it carries no meshform mark, so this"
                    + " state did not make it"), text);
            assertTrue(text.contains("the state entry may have been edited"), text);
            assertTrue(text.contains("`meshform state rm test.thing.old`"), text);
        }
        assertNotNull(cluster.get(OLD));
    }

    @Test
    void anObjectAnotherStateMadeIsNotDestroyedEither() {
        Stack other = stack("""
                resources:
                  - {type: test.thing, name: old, spec: {value: "precious"}}
                """);
        MemoryStateStore otherStore = new MemoryStateStore();
        new Applier(cluster.registry(), 1, ApplyListener.NONE).apply(other,
                planner.plan(other, StateSnapshot.empty("test"), PlanOptions.defaults()), StateSnapshot.empty("test"),
                otherStore, new AtomicBoolean());
        String otherLineage = otherStore.read().orElseThrow().lineage();
        editedState(Map.of());
        var e = assertThrows(DiagnosticsException.class, () -> planner.plan(stack(KEEP_ONLY), state(), PlanOptions.defaults()));
        assertTrue(e.getMessage().contains("it carries another state's meshform mark (lineage " + otherLineage
                + ", resource test.thing.old), so this state did not make it"), e.getMessage());
        assertNotNull(cluster.get(OLD));
    }

    @Test
    void aReplaceOfAHandMadeObjectIsRefused() {
        cluster.put(KEEP, JsonNodeFactory.instance.objectNode().put("value", "k"));
        Stack s = stack(KEEP_ONLY);
        store.write(StateSnapshot.empty("test").with(new ResourceState(KEEP.toString(), KEEP.type(),
                JsonNodeFactory.instance.objectNode().put("value", "k"), Map.of())));
        var e = assertThrows(DiagnosticsException.class, () -> planner.plan(s, state(),
                new PlanOptions(Set.of(), Set.of(), Set.of(KEEP), false, false)));
        assertTrue(e.getMessage().contains("`test.thing.keep`: refusing to replace thing keep: it carries no meshform mark"),
                e.getMessage());
    }

    /** A saved plan is applied later: an object replaced by hand meanwhile is not deleted. */
    @Test
    void applyChecksAgainWhatTheSavedPlanDeletes() {
        Stack both = stack(KEEP_ONLY + "  - {type: test.thing, name: old, spec: {value: \"precious\"}}\n");
        apply(both, planner.plan(both, state(), PlanOptions.defaults()));
        Stack s = stack(KEEP_ONLY);
        Plan saved = planner.plan(s, state(), PlanOptions.defaults());
        cluster.put(OLD, precious());  // made again by hand, without the mark
        ApplyResult r = apply(s, saved);
        assertEquals(1, r.failed().size(), r.toString());
        String message = r.failed().values().iterator().next().getMessage();
        assertTrue(message.contains("refusing to destroy thing old: it carries no meshform mark"), message);
        assertNotNull(cluster.get(OLD));
        assertTrue(state().find(OLD.toString()).isPresent(), "the entry stays until the user decides");
    }

    /** meshform import marks what it records: an imported object is still deleted on request. */
    @Test
    void anImportedObjectIsDeletedWithDeleteAdopted() {
        cluster.put(OLD, precious());
        editedState(Map.of(Planner.ADOPTED_KEY, "true"));
        ResourceState imported = state().find(OLD.toString()).orElseThrow();
        cluster.registry().get("test.thing").markImported(new io.meshform.engine.spi.ApplyRequest(OLD, imported.attributes(), null,
                Map.of(), io.meshform.engine.spi.ProgressSink.NONE, io.meshform.engine.spi.StackContext.detached(),
                state().lineage()));
        Stack s = stack(KEEP_ONLY);
        Plan p = planner.plan(s, state(), new PlanOptions(Set.of(), Set.of(), Set.of(), true, false, true));
        ApplyResult r = apply(s, p);
        assertTrue(r.failed().isEmpty(), r.toString());
        assertEquals(null, cluster.get(OLD));
    }

    /** An entry edited to read "adopted" does not make an unmarked object deletable by destroy --delete-adopted. */
    @Test
    void anEntryEditedToReadAdoptedDoesNotDeleteAHandMadeObject() {
        cluster.put(OLD, precious());
        editedState(Map.of(Planner.ADOPTED_KEY, "true"));
        Stack s = stack(KEEP_ONLY);
        var e = assertThrows(DiagnosticsException.class, () -> planner.plan(s, state(),
                new PlanOptions(Set.of(), Set.of(), Set.of(), true, false, true)));
        String text = e.getMessage();
        assertTrue(text.contains("`test.thing.old`: refusing to destroy thing old: it carries no meshform mark, so this state"
                + " did not make it"), text);
        assertTrue(text.contains("If you imported it, import it again to mark it (`meshform state rm test.thing.old`, then"
                + " `meshform import test.thing.old old`)"), text);
        assertNotNull(cluster.get(OLD));
        Plan release = planner.plan(s, state(), new PlanOptions(Set.of(), Set.of(), Set.of(), true, false, false));
        assertTrue(apply(s, release).failed().isEmpty(), "without --delete-adopted it is released, which deletes nothing");
        assertNotNull(cluster.get(OLD));
    }

    /**
     * A second entry added for an object another resource of this state made: the object carries this state's mark,
     * for the other address. Deleting it through the duplicate would delete what the other entry manages; the refusal
     * says so, and what to do (it used to say "carries no meshform mark" for a kubernetes.namespace).
     */
    @Test
    void aSecondEntryForAnObjectAnotherResourceMadeIsNotDestroyedThroughIt() {
        ResourceAddress app = ResourceAddress.parse("test.thing.app");
        ResourceAddress dup = ResourceAddress.parse("test.thing.dup");
        String appOnly = """
                resources:
                  - {type: test.thing, name: app, spec: {value: "a", object: "shared"}}
                """;
        Stack s = stack(appOnly);
        apply(s, planner.plan(s, state(), PlanOptions.defaults()));
        ResourceState made = state().find(app.toString()).orElseThrow();
        store.write(state().with(new ResourceState(dup.toString(), dup.type(), made.attributes(), Map.of())));
        Stack both = stack(appOnly + "  - {type: test.thing, name: dup, spec: {value: \"a\", object: \"shared\"}}\n");
        var e = assertThrows(DiagnosticsException.class, () -> planner.plan(both, state(), PlanOptions.defaults().asDestroy()));
        String text = e.getMessage();
        assertTrue(text.contains("`test.thing.dup`: refusing to destroy thing shared: it carries this state's mark for"
                + " another resource, `test.thing.app`: two addresses for one object"), text);
        assertTrue(text.contains("`meshform state rm test.thing.dup` (the object stays in the cluster), and remove"
                + " `test.thing.dup` from the stack if it declares it"), text);
        assertFalse(text.contains("no meshform mark"), text);
        assertNotNull(cluster.object("shared"));
        // What the message says to do works: forget the duplicate, and the object is app's alone again.
        store.write(state().without(dup.toString()));
        assertTrue(apply(s, planner.plan(s, state(), PlanOptions.defaults().asDestroy())).failed().isEmpty());
        assertNull(cluster.object("shared"), "destroy deletes what app made");
    }
}

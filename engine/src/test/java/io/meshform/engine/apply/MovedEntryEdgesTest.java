package io.meshform.engine.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.Stack;
import io.meshform.engine.plan.Plan;
import io.meshform.engine.plan.PlanOptions;
import io.meshform.engine.plan.Planner;
import io.meshform.engine.plan.ResourceChange;
import io.meshform.engine.render.PlanText;
import io.meshform.engine.render.Style;
import io.meshform.engine.spi.Action;
import io.meshform.engine.testing.InMemoryCluster;
import io.meshform.engine.testing.MemoryStateStore;
import io.meshform.engine.testing.Stacks;
import io.meshform.state.StateSnapshot;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * The edges of a move (a resource whose object is another one than the one applied, so a create-first replace): an
 * object already where it goes, a delete of the old one that failed, {@code --replace}, and the diff's before side.
 */
class MovedEntryEdgesTest {
    @TempDir
    Path dir;

    private final InMemoryCluster cluster = new InMemoryCluster();
    private final MemoryStateStore store = new MemoryStateStore();
    private final ResourceAddress policy = ResourceAddress.parse("test.thing.policy");

    private Stack stack(String object) {
        return Stacks.load(cluster.registry(), dir, "resources:\n  - {type: test.thing, name: policy, spec: {object: " + object + "}}\n");
    }

    private Plan plan(Stack s, PlanOptions options) {
        return new Planner(cluster.registry(), "t").plan(s, store.read().orElse(StateSnapshot.empty("t")), options);
    }

    private ApplyResult apply(Stack s) {
        Plan p = plan(s, PlanOptions.defaults());
        return new Applier(cluster.registry(), 1, ApplyListener.NONE)
                .apply(s, p, store.read().orElse(StateSnapshot.empty("t")), store, new AtomicBoolean());
    }

    @Test
    void aMoveOntoAnObjectMadeByHandIsRefusedAsAnyUnmanagedObjectIs() {
        assertTrue(apply(stack("mongo")).succeeded());
        cluster.put(policy, new JsonMapper().createObjectNode().put("object", "other"));
        DiagnosticsException e = assertThrows(DiagnosticsException.class, () -> plan(stack("other"), PlanOptions.defaults()));
        String said = e.getMessage();
        assertTrue(said.contains("`test.thing.policy`: thing other exists, not managed by meshform"), said);
        assertTrue(said.contains("the state records `test.thing.policy` as another object"), said);
        assertTrue(said.contains("set `adopt: true` on the resource: apply takes it over and then deletes the old object"), said);
        assertFalse(said.contains("meshform import test.thing.policy other`"), "import refuses a recorded address: " + said);
        assertFalse(said.contains("refusing to replace"), "the old object is this state's; the one in the way is judged: " + said);
        assertNotNull(cluster.object("mongo"), "nothing was applied");
    }

    @Test
    void adoptTakesTheObjectWhereTheEntryMovesOverAndDeletesTheOldOne() {
        assertTrue(apply(stack("mongo")).succeeded());
        cluster.put(policy, new JsonMapper().createObjectNode().put("object", "other"));
        Stack adopting = Stacks.load(cluster.registry(), dir,
                "resources:\n  - {type: test.thing, name: policy, adopt: true, spec: {object: other}}\n");
        ResourceChange c = plan(adopting, PlanOptions.defaults()).changes().get(0);
        assertTrue(c.createsFirst(), c.toString());
        assertTrue(c.reason().startsWith("adopt: thing other exists, not managed by meshform"), c.reason());
        assertTrue(apply(adopting).succeeded());
        assertNull(cluster.object("mongo"), "the old object goes");
        assertNotNull(cluster.object("other"));
        assertEquals("true", store.read().orElseThrow().find("test.thing.policy").orElseThrow().metadata().get("adopted"));
    }

    @Test
    void aMoveWhoseDeleteFailedRecordsTheOldObjectAsDeposedAndTheNextPlanDeletesIt() {
        assertTrue(apply(stack("mongo")).succeeded());
        cluster.failDeleteOn(policy);
        ApplyResult failed = apply(stack("other"));
        assertFalse(failed.succeeded());
        String said = failed.failed().values().iterator().next().getMessage();
        assertTrue(said.contains("the new object was created, but deleting the old one failed"), said);
        assertTrue(said.contains("The state records the new object as the resource's and the old one as test.thing.policy"
                + " (deposed "), said);
        assertTrue(said.contains("every later plan deletes it, whatever the stack then says"), said);
        assertNotNull(cluster.object("mongo"));
        assertNotNull(cluster.object("other"));
        io.meshform.state.StateSnapshot s = store.read().orElseThrow();
        assertEquals("other", s.find("test.thing.policy").orElseThrow().attributes().get("object").asString());
        assertEquals("mongo", s.deposed().get(0).object().attributes().get("object").asString());

        Plan again = plan(stack("other"), PlanOptions.defaults());
        assertEquals(1, again.changes().stream().filter(ResourceChange::changes).count(), again.changes().toString());
        ResourceChange c = again.changes().get(again.changes().size() - 1);
        assertTrue(c.deposed(), "the old object is still to delete: " + c);
        assertEquals(Action.DELETE, c.action());
        assertTrue(apply(stack("other")).succeeded());
        assertNull(cluster.object("mongo"), "the old object goes");
        assertNotNull(cluster.object("other"));
        assertEquals("other", store.read().orElseThrow().find("test.thing.policy").orElseThrow().attributes().get("object").asString());
        assertTrue(store.read().orElseThrow().deposed().isEmpty());
    }

    @Test
    void replaceOfAMovedEntryIsTheCreateFirstReplace() {
        assertTrue(apply(stack("mongo")).succeeded());
        Plan p = plan(stack("other"), new PlanOptions(Set.of(), Set.of(), Set.of(policy), false, false));
        ResourceChange c = p.changes().get(0);
        assertEquals(Action.REPLACE, c.action(), c.toString());
        assertTrue(c.createsFirst());
        assertEquals("replacement requested with --replace (moved)", c.reason());
    }

    @Test
    void theDiffOfAMoveSaysItsBeforeSideIsTheRecordedObject() {
        assertTrue(apply(stack("mongo")).succeeded());
        String text = new PlanText(Style.plain()).render(plan(stack("other"), PlanOptions.defaults()));
        assertTrue(text.contains("--- recorded"), text);
        assertFalse(text.contains("--- live"), text);
    }
}

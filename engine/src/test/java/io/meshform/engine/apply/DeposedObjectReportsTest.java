package io.meshform.engine.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.drift.DriftDetector;
import io.meshform.engine.drift.DriftEntry;
import io.meshform.engine.drift.DriftKind;
import io.meshform.engine.drift.DriftReport;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.Stack;
import io.meshform.engine.plan.Plan;
import io.meshform.engine.plan.PlanJson;
import io.meshform.engine.plan.PlanOptions;
import io.meshform.engine.plan.Planner;
import io.meshform.engine.render.DriftFormats;
import io.meshform.engine.render.PlanText;
import io.meshform.engine.render.Style;
import io.meshform.engine.testing.InMemoryCluster;
import io.meshform.engine.testing.MemoryStateStore;
import io.meshform.engine.testing.Stacks;
import io.meshform.state.StateSnapshot;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A deposed object (the old object of a move whose delete failed) is named wherever the state is judged: a drift
 * check does not call the mesh clean while it is in the cluster, and a plan with --target or --exclude that does not
 * delete it says it left it out rather than "No changes".
 */
class DeposedObjectReportsTest {
    @TempDir
    Path dir;

    private final InMemoryCluster cluster = new InMemoryCluster();
    private final MemoryStateStore store = new MemoryStateStore();
    private final ResourceAddress policy = ResourceAddress.parse("test.thing.policy");
    private final ResourceAddress other = ResourceAddress.parse("test.thing.other");

    /** The policy naming {@code object} (none: not declared), and another resource beside it. */
    private Stack stack(String object) {
        return Stacks.load(cluster.registry(), dir, "resources:\n  - {type: test.thing, name: other, spec: {object: o}}\n"
                + (object == null ? "" : "  - {type: test.thing, name: policy, spec: {object: " + object + "}}\n"));
    }

    private StateSnapshot state() {
        return store.read().orElse(StateSnapshot.empty("t"));
    }

    private ApplyResult apply(Stack s) {
        Plan p = new Planner(cluster.registry(), "t").plan(s, state(), PlanOptions.defaults());
        return new Applier(cluster.registry(), 1, ApplyListener.NONE).apply(s, p, state(), store, new AtomicBoolean());
    }

    /** Moved from cortex to cortx; the old object's delete failed, so the state records it as deposed. */
    private String moveWhoseDeleteFails() {
        assertTrue(apply(stack("cortex")).succeeded());
        cluster.failDeleteOn(policy);
        assertFalse(apply(stack("cortx")).succeeded());
        assertEquals(1, state().deposed().size());
        return state().deposed().get(0).key();
    }

    private DriftReport drift(Stack s) {
        return new DriftDetector(cluster.registry()).detect(s, state(), List.of());
    }

    @Test
    void driftReportsADeposedObjectStillInTheClusterAsAFinding() {
        String key = moveWhoseDeleteFails();
        DriftReport r = drift(stack("cortx"));
        assertTrue(r.failed(), "drift exits 2 as for any finding");
        assertEquals(1, r.entries().size(), r.entries().toString());
        DriftEntry e = r.entries().get(0);
        assertEquals(DriftKind.DEPOSED, e.kind());
        assertEquals("test.thing.policy (deposed object " + key + ")", e.subject());
        assertEquals("{\"object\":\"cortex\"}", e.live().toString());
        String text = new DriftFormats().render(r, "text", Style.plain());
        assertTrue(text.contains("! test.thing.policy (deposed object " + key + "): the old object of a move, whose delete did"
                + " not go through; `meshform apply` deletes it\n"), text);
        assertTrue(text.contains("Drift: 1 finding in 2 resources checked."), text);
        JsonNode json = JsonMapper.builder().build().readTree(new DriftFormats().render(r, "json", Style.plain()));
        assertEquals("deposed", json.at("/drift/0/kind").asString());
        assertEquals(key, json.at("/drift/0/deposed_key").asString());
        assertTrue(new DriftFormats().render(r, "markdown", Style.plain())
                .contains("| `test.thing.policy (deposed object " + key + ")` | the old object of a move"));
        String junit = new DriftFormats().render(r, "junit", Style.plain());
        assertTrue(junit.contains("tests=\"3\" failures=\"1\""), junit);
        assertTrue(junit.contains("name=\"test.thing.policy\" time=\"0\"></testcase>"), "the resource's own object is clean: " + junit);
        assertTrue(junit.contains("name=\"test.thing.policy (deposed object " + key + ")\""), junit);
    }

    /**
     * --ignore ADDR silences noise in the resource's own object; its deposed object is a leftover the state still wants
     * deleted, so a nightly check that ignores the resource still reports it.
     */
    @Test
    void ignoringTheResourceStillReportsItsDeposedObject() {
        String key = moveWhoseDeleteFails();
        DriftReport r = new DriftDetector(cluster.registry()).detect(stack("cortx"), state(),
                List.of(io.meshform.engine.drift.IgnoreRule.parse("test.thing.policy")));
        assertTrue(r.failed(), r.entries().toString());
        assertEquals(List.of("test.thing.policy (deposed object " + key + ")"),
                r.entries().stream().map(DriftEntry::subject).toList());
    }

    @Test
    void driftNotesADeposedObjectAlreadyGone() {
        moveWhoseDeleteFails();
        cluster.removeObject("cortex");
        DriftReport r = drift(stack("cortx"));
        assertFalse(r.failed(), r.entries().toString());
        assertTrue(r.notes().toString().contains("is already gone from the cluster: the next apply drops its record"),
                r.notes().toString());
    }

    @Test
    void driftSaysApplyKeepsADeposedObjectWithoutThisStatesMark() {
        moveWhoseDeleteFails();
        cluster.put(policy, JsonMapper.builder().build().createObjectNode().put("object", "cortex"));  // made again by hand
        DriftReport r = drift(stack("cortx"));
        assertTrue(r.failed());
        assertTrue(r.entries().get(0).summary().contains("it no longer carries this state's mark, so `meshform apply` keeps"
                + " it: delete it by hand if it is to go, and forget it with `meshform state rm test.thing.policy`"),
                r.entries().get(0).summary());
    }

    /** Its resource forgotten (or destroyed) since: only the deposed object is left under the address. */
    @Test
    void aTargetedPlanNamesTheDeposedObjectItLeavesOut() {
        String key = moveWhoseDeleteFails();
        StateSnapshot onlyDeposed = state().without("test.thing.policy");
        Plan p = new Planner(cluster.registry(), "t").plan(stack(null), onlyDeposed,
                new PlanOptions(Set.of(other), Set.of(), Set.of(), false, false));
        assertFalse(p.hasChanges(), p.changes().toString());
        assertEquals(List.of(policy), p.notPlanned());
        assertTrue(p.partial());
        String text = new PlanText(Style.plain()).render(p);
        assertTrue(text.contains("partial plan (--target test.thing.other): 1 deposed object (the old object of a move, still"
                + " to delete) was not planned"), text);
        assertTrue(text.contains("not planned: test.thing.policy (deposed object " + key + ")"), text);
        assertFalse(text.contains("The cluster matches"), text);
        assertEquals("[\"test.thing.policy\"]", JsonMapper.builder().build().readTree(new PlanJson().write(p, false))
                .get("not_planned").toString());
        // Without --target the plan deletes it.
        Plan whole = new Planner(cluster.registry(), "t").plan(stack(null), onlyDeposed, PlanOptions.defaults());
        assertTrue(whole.hasChanges() && whole.notPlanned().isEmpty());
    }

    @Test
    void anExcludedResourceNamesItsDeposedObjectToo() {
        String key = moveWhoseDeleteFails();
        Plan p = new Planner(cluster.registry(), "t").plan(stack("cortx"), state(),
                new PlanOptions(Set.of(), Set.of(policy), Set.of(), false, false));
        assertEquals(List.of(policy), p.notPlanned());
        String text = new PlanText(Style.plain()).render(p);
        assertTrue(text.contains("1 of 2 resources and 1 deposed object (the old object of a move, still to delete) were not"
                + " planned"), text);
        assertTrue(text.contains("not planned: test.thing.policy, test.thing.policy (deposed object " + key + ")"), text);
    }
}

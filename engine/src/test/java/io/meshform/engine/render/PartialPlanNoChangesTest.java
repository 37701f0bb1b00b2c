package io.meshform.engine.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.apply.Applier;
import io.meshform.engine.apply.ApplyListener;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.Stack;
import io.meshform.engine.plan.Plan;
import io.meshform.engine.plan.PlanJson;
import io.meshform.engine.plan.PlanOptions;
import io.meshform.engine.plan.Planner;
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

/**
 * A plan without changes says "The cluster matches the stack" only when it compared the whole stack: {@code plan
 * --target istio.install.mesh} on the real cluster said so while a PeerAuthentication it left out differed from the
 * file, in the text, the saved plan and its Markdown.
 */
class PartialPlanNoChangesTest {
    @TempDir
    Path dir;

    private final InMemoryCluster cluster = new InMemoryCluster();
    private final Planner planner = new Planner(cluster.registry(), "test");
    private final MemoryStateStore store = new MemoryStateStore();

    private static final String STACK = """
            resources:
              - {type: test.thing, name: mesh, spec: {value: "1.30.3"}}
              - {type: test.thing, name: mongo, spec: {value: "%s"}}
              - {type: test.thing, name: spark, spec: {value: "%s"}}
            """;

    private StateSnapshot state() {
        return store.read().orElse(StateSnapshot.empty("test"));
    }

    private Plan targetingMeshAfterEditingTheOthers() {
        Stack applied = Stacks.load(cluster.registry(), dir, STACK.formatted("PERMISSIVE", "PERMISSIVE"));
        new Applier(cluster.registry(), 4, ApplyListener.NONE).apply(applied,
                planner.plan(applied, state(), PlanOptions.defaults()), state(), store, new AtomicBoolean());
        Stack edited = Stacks.load(cluster.registry(), dir, STACK.formatted("STRICT", "STRICT"));
        assertTrue(planner.plan(edited, state(), PlanOptions.defaults()).hasChanges(), "mongo and spark differ");
        return planner.plan(edited, state(), new PlanOptions(Set.of(ResourceAddress.parse("test.thing.mesh")), Set.of(),
                Set.of(), false, false));
    }

    @Test
    void aTargetedPlanWithoutChangesSaysWhatItDidNotCompare() {
        Plan plan = targetingMeshAfterEditingTheOthers();
        assertFalse(plan.hasChanges());
        String text = new PlanText(Style.plain()).render(plan);
        assertFalse(text.contains("The cluster matches the stack"), text);
        assertTrue(text.endsWith("No changes. The 1 planned resource matches the cluster; the 2 resources left out of this"
                + " plan (--target, --exclude) were not compared: plan without --target and --exclude to compare the whole"
                + " stack `test`.\n"), text);
    }

    @Test
    void theSavedPlanAndItsMarkdownKeepWhatWasLeftOut() {
        Plan saved = new PlanJson().read(new PlanJson().write(targetingMeshAfterEditingTheOthers(), true));
        assertEquals(List.of("test.thing.mongo", "test.thing.spark"),
                saved.notPlanned().stream().map(ResourceAddress::toString).toList());
        String md = new PlanMarkdown().render(saved);
        assertFalse(md.contains("The cluster matches the stack"), md);
        assertTrue(md.contains("No changes. The 1 planned resource matches the cluster; the 2 resources left out"), md);
    }

    @Test
    void aWholePlanWithoutChangesStillSaysTheClusterMatches() {
        Stack s = Stacks.load(cluster.registry(), dir, STACK.formatted("STRICT", "STRICT"));
        new Applier(cluster.registry(), 4, ApplyListener.NONE).apply(s, planner.plan(s, state(), PlanOptions.defaults()),
                state(), store, new AtomicBoolean());
        Plan plan = planner.plan(s, state(), PlanOptions.defaults());
        assertTrue(new PlanText(Style.plain()).render(plan).endsWith("No changes. The cluster matches the stack `test`.\n"));
        assertFalse(new PlanJson().write(plan, false).contains("not_planned"), "a whole plan's JSON keeps its shape");
    }

    @Test
    void aPlanWithoutChangesUnderAWarningSaysApplyingLeavesIt() {
        // "The cluster matches the stack" under "istiod is scaled to 0 replicas" read as all-clear.
        Stack s = Stacks.load(cluster.registry(), dir, STACK.formatted("STRICT", "STRICT"));
        new Applier(cluster.registry(), 4, ApplyListener.NONE).apply(s, planner.plan(s, state(), PlanOptions.defaults()),
                state(), store, new AtomicBoolean());
        cluster.addCheck("control-plane", ctx -> List.of(
                io.meshform.engine.diag.Diagnostic.warning("istiod is scaled to 0 replicas", "", null),
                io.meshform.engine.diag.Diagnostic.info("a note", "", null)));
        Plan plan = new Planner(cluster.registry(), "test").plan(s, state(), PlanOptions.defaults());
        assertFalse(plan.hasChanges());
        String text = new PlanText(Style.plain()).render(plan);
        assertTrue(text.endsWith("No changes. The cluster matches the stack `test`. There is nothing to apply, so the"
                + " warning above stays until the stack or the cluster changes.\n"), text);
        String md = new PlanMarkdown().render(plan);
        assertTrue(md.contains("No changes. The cluster matches the stack. There is nothing"
                + " to apply, so the warning below stays until the stack or the cluster changes.\n"), md);
        cluster.addCheck("second", ctx -> List.of(io.meshform.engine.diag.Diagnostic.warning("another", "", null)));
        String two = new PlanText(Style.plain()).render(new Planner(cluster.registry(), "test").plan(s, state(), PlanOptions.defaults()));
        assertTrue(two.contains("so the 2 warnings above stay until"), two);
    }
}

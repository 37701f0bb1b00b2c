package io.meshform.engine.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.apply.Applier;
import io.meshform.engine.apply.ApplyListener;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.Stack;
import io.meshform.engine.render.PlanText;
import io.meshform.engine.render.Style;
import io.meshform.engine.spi.Action;
import io.meshform.engine.testing.InMemoryCluster;
import io.meshform.engine.testing.PlanAssert;
import io.meshform.engine.testing.MemoryStateStore;
import io.meshform.engine.testing.Stacks;
import io.meshform.state.StateSnapshot;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.JsonNodeFactory;

class PlannerTest {
    @TempDir
    Path dir;

    private final InMemoryCluster cluster = new InMemoryCluster();
    private final Planner planner = new Planner(cluster.registry(), "test");
    private final MemoryStateStore store = new MemoryStateStore();

    private static ResourceAddress a(String s) {
        return ResourceAddress.parse(s);
    }

    private Stack stack(String yaml) {
        return Stacks.load(cluster.registry(), dir, yaml);
    }

    private StateSnapshot state() {
        return store.read().orElse(StateSnapshot.empty("test"));
    }

    private void applyAll(Stack s) {
        Plan p = planner.plan(s, state(), PlanOptions.defaults());
        new Applier(cluster.registry(), 4, ApplyListener.NONE).apply(s, p, state(), store, new AtomicBoolean());
    }

    private static final String TWO = """
            resources:
              - {type: test.thing, name: ns, spec: {value: "ns"}}
              - {type: test.thing, name: labels, dependsOn: [test.thing.ns], spec: {value: "enabled"}}
            """;

    @Test
    void createsInDependencyOrderThenShowsNoChanges() {
        Stack s = stack(TWO);
        Plan p = planner.plan(s, state(), PlanOptions.defaults());
        assertEquals(List.of(Action.CREATE, Action.CREATE), p.changes().stream().map(ResourceChange::action).toList());
        assertEquals("Plan: 2 to add, 0 to change, 0 to destroy.", p.summary().toString());
        applyAll(s);
        assertEquals(List.of("create test.thing.ns", "create test.thing.labels"), cluster.history());
        Plan again = planner.plan(s, state(), PlanOptions.defaults());
        assertFalse(again.hasChanges());
        assertEquals(2, state().resources().size());
    }

    @Test
    void everyResourceAProviderRefusesIsReportedAtOnce() {
        var e = assertThrows(DiagnosticsException.class, () -> planner.plan(stack("""
                resources:
                  - {type: test.thing, name: a, spec: {refuse: "namespace nope-a does not exist"}}
                  - {type: test.thing, name: ok, spec: {value: "x"}}
                  - {type: test.thing, name: b, spec: {refuse: "namespace nope-b does not exist"}}
                """), state(), PlanOptions.defaults()));
        assertEquals(List.of("test.thing.a: namespace nope-a does not exist", "test.thing.b: namespace nope-b does not exist"),
                e.diagnostics().stream().map(io.meshform.engine.diag.Diagnostic::summary).toList(), e.getMessage());
        // A refusal the type gave no position stands at the resource's declaration, as the stack's own errors do.
        assertEquals(List.of(":5:5", ":7:5"), e.diagnostics().stream().map(d -> String.valueOf(d.range()))
                .map(r -> r.substring(r.lastIndexOf("stack.yaml") + "stack.yaml".length())).toList());
    }

    @Test
    void readsTheClusterOnceForEveryTypeNotOncePerResource() {
        Stack s = stack(TWO);
        planner.plan(s, state(), PlanOptions.defaults());
        assertEquals(List.of(2), cluster.readBatchSizes());
    }

    @Test
    void updatesWhenTheSpecChangesAndShowsADiff() {
        applyAll(stack(TWO));
        Stack changed = stack(TWO.replace("\"enabled\"", "\"disabled\""));
        Plan p = planner.plan(changed, state(), PlanOptions.defaults());
        PlanAssert.assertPlan(p).updates("test.thing.labels").leaves("test.thing.ns").counts(0, 1, 0);
        // The rendering of that model: a unified diff of the spec (PlanText's own shape is GoldenOutputTest's).
        String text = new PlanText(Style.plain()).render(p);
        assertTrue(text.contains("-value: enabled\n") && text.contains("+value: disabled\n"), text);
    }

    @Test
    void deletesWhatIsNoLongerDeclaredInReverseOrder() {
        applyAll(stack(TWO));
        Plan p = planner.plan(stack("resources: []\n"), state(), PlanOptions.defaults());
        assertEquals(List.of("test.thing.labels", "test.thing.ns"), p.changes().stream().map(c -> c.address().toString()).toList());
        assertTrue(p.changes().stream().allMatch(c -> c.action() == Action.DELETE));
        assertEquals("no longer declared in the stack", p.changes().get(0).reason());
    }

    /** Deleted by someone else, then taken out of the file: nothing to destroy, only the state entry goes. */
    @Test
    void aRemovedResourceAlreadyGoneIsCountedAsForgottenNotDestroyed() {
        applyAll(stack(TWO));
        cluster.remove(a("test.thing.labels"));
        Plan p = planner.plan(stack(TWO.substring(0, TWO.indexOf("  - {type: test.thing, name: labels"))), state(),
                PlanOptions.defaults());
        ResourceChange c = p.changes().get(p.changes().size() - 1);
        assertEquals("test.thing.labels", c.address().toString());
        assertTrue(c.dropsRecord(), c.toString());
        assertEquals(new Plan.Summary(0, 0, 0, 1, 0), p.summary());
        String text = new PlanText(Style.plain()).render(p);
        assertTrue(text.contains("# test.thing.labels is already deleted; its record will be removed from the state (no"
                + " longer declared in the stack; already absent from the cluster, only the state entry goes)"), text);
        assertTrue(text.contains("Plan: 0 to add, 0 to change, 0 to destroy, 1 to forget."), text);
        applyAll(stack(TWO.substring(0, TWO.indexOf("  - {type: test.thing, name: labels"))));
        assertTrue(state().find("test.thing.labels").isEmpty());
    }

    @Test
    void destroyRemovesEverythingInReverseDependencyOrder() {
        Stack s = stack(TWO);
        applyAll(s);
        Plan p = planner.plan(s, state(), PlanOptions.defaults().asDestroy());
        new Applier(cluster.registry(), 4, ApplyListener.NONE).apply(s, p, state(), store, new AtomicBoolean());
        assertEquals(List.of("create test.thing.ns", "create test.thing.labels", "delete test.thing.labels", "delete test.thing.ns"),
                cluster.history());
        assertTrue(state().resources().isEmpty());
    }

    @Test
    void objectDeletedOutsideMeshformIsRecreatedWithThatReason() {
        applyAll(stack(TWO));
        cluster.remove(a("test.thing.ns"));
        Plan p = planner.plan(stack(TWO), state(), PlanOptions.defaults());
        ResourceChange c = p.changes().get(0);
        assertEquals(Action.CREATE, c.action());
        assertEquals("recorded in state but deleted outside meshform", c.reason());
    }

    @Test
    void anUpdateCausedBySomeoneElseSaysSo() {
        applyAll(stack(TWO));
        cluster.put(a("test.thing.labels"), JsonNodeFactory.instance.objectNode().put("value", "kubectl-edit"));
        ResourceChange c = planner.plan(stack(TWO), state(), PlanOptions.defaults()).changes().get(1);
        assertEquals(Action.UPDATE, c.action());
        assertEquals("changed outside meshform: spec differs from the live object", c.reason());
        ResourceChange own = planner.plan(stack(TWO.replace("\"enabled\"", "\"new\"")), state(), PlanOptions.defaults())
                .changes().get(1);
        assertEquals("spec differs from the live object", own.reason());
    }

    @Test
    void replaceTargetAndExclude() {
        applyAll(stack(TWO));
        Plan replace = planner.plan(stack(TWO), state(), new PlanOptions(Set.of(), Set.of(), Set.of(a("test.thing.ns")), false, false));
        assertEquals(Action.REPLACE, replace.changes().get(0).action());
        assertEquals("Plan: 1 to add, 0 to change, 1 to destroy.", replace.summary().toString());

        Stack more = stack(TWO + "  - {type: test.thing, name: other, spec: {value: \"o\"}}\n");
        Plan targeted = planner.plan(more, state(), new PlanOptions(Set.of(a("test.thing.labels")), Set.of(), Set.of(), false, false));
        assertEquals(Set.of("test.thing.ns", "test.thing.labels"),
                Set.copyOf(targeted.changes().stream().map(c -> c.address().toString()).toList()));
        Plan excluded = planner.plan(more, state(), new PlanOptions(Set.of(), Set.of(a("test.thing.ns")), Set.of(), false, false));
        assertEquals(List.of("test.thing.other"), excluded.changes().stream().map(c -> c.address().toString()).toList());
    }

    @Test
    void implicitDependenciesOrderTheApplyAndCyclesAreErrors() {
        Stack s = stack("""
                resources:
                  - {type: test.thing, name: b, spec: {after: test.thing.a}}
                  - {type: test.thing, name: a}
                """);
        applyAll(s);
        assertEquals(List.of("create test.thing.a", "create test.thing.b"), cluster.history());
        Stack cyclic = stack("""
                resources:
                  - {type: test.thing, name: b, spec: {after: test.thing.a}}
                  - {type: test.thing, name: a, dependsOn: [test.thing.b]}
                """);
        var e = assertThrows(DiagnosticsException.class, () -> planner.plan(cyclic, StateSnapshot.empty("t"), PlanOptions.defaults()));
        assertTrue(e.getMessage().contains("test.thing.a -> test.thing.b -> test.thing.a"), e.getMessage());
    }

    /** A misspelt --target or --exclude address gets the closest known one, as --var and field names do. */
    @Test
    void aMisspeltTargetOrExcludeSuggestsTheClosestAddress() {
        applyAll(stack(TWO));
        var target = assertThrows(DiagnosticsException.class, () -> planner.plan(stack(TWO), state(),
                new PlanOptions(Set.of(a("test.thing.labells")), Set.of(), Set.of(), false, false)));
        assertEquals("did you mean `test.thing.labels`?", target.diagnostics().get(0).detail());
        var exclude = assertThrows(DiagnosticsException.class, () -> planner.plan(stack(TWO), state(),
                new PlanOptions(Set.of(), Set.of(a("test.thing.unrelatedname")), Set.of(), false, false)));
        assertEquals("`meshform state list` shows what the state records", exclude.diagnostics().get(0).detail());
    }

    /** A misspelt --replace address gets the closest known one too; one that --exclude leaves out says so. */
    @Test
    void aMisspeltOrLeftOutReplaceSaysWhy() {
        applyAll(stack(TWO));
        var misspelt = assertThrows(DiagnosticsException.class, () -> planner.plan(stack(TWO), state(),
                new PlanOptions(Set.of(), Set.of(), Set.of(a("test.thing.labells")), false, false)));
        assertEquals("--replace `test.thing.labells` is neither declared nor recorded in state",
                misspelt.diagnostics().get(0).summary());
        assertEquals("did you mean `test.thing.labels`?", misspelt.diagnostics().get(0).detail());
        var leftOut = assertThrows(DiagnosticsException.class, () -> planner.plan(stack(TWO), state(),
                new PlanOptions(Set.of(), Set.of(a("test.thing.ns")), Set.of(a("test.thing.labels")), false, false)));
        assertEquals("--replace names `test.thing.labels`, which --target or --exclude leaves out of this plan",
                leftOut.diagnostics().get(0).summary());
    }

    @Test
    void sensitiveValuesAreMaskedInPlansAndDigestedInState() {
        Stack s = stack("resources:\n  - {type: test.secret, name: oidc, spec: {password: hunter2, user: me}}\n");
        Plan p = planner.plan(s, state(), PlanOptions.defaults());
        String text = new PlanText(Style.plain()).render(p) + new PlanJson().write(p, true);
        assertFalse(text.contains("hunter2"), text);
        assertTrue(text.contains(Sensitive.MASK));
        applyAll(s);
        String recorded = state().find("test.secret.oidc").orElseThrow().attributes().toString();
        assertFalse(recorded.contains("hunter2"), recorded);
        assertTrue(recorded.contains("sha256:"), recorded);
    }

    @Test
    void safetyChecksWarnAndStrictMakesThemErrors() {
        cluster.addCheck(InMemoryCluster.riskyCheck());
        Stack s = stack("resources:\n  - {type: test.thing, name: x, spec: {risky: true}}\n");
        Planner planner = new Planner(cluster.registry(), "test");
        Plan p = planner.plan(s, state(), PlanOptions.defaults());
        assertEquals(1, p.diagnostics().size());
        assertEquals(5, p.diagnostics().get(0).range().line());
        var e = assertThrows(DiagnosticsException.class,
                () -> planner.plan(s, state(), new PlanOptions(Set.of(), Set.of(), Set.of(), false, true)));
        assertTrue(e.getMessage().contains("--strict"));
    }

    @Test
    void strictAlsoRefusesWarningsOnTheChangesThemselves() {
        Stack s = stack("resources:\n  - {type: test.thing, name: x, spec: {warn: upgrade skips a minor release}}\n");
        Plan p = planner.plan(s, state(), PlanOptions.defaults());
        assertEquals(List.of("upgrade skips a minor release"), p.changes().get(0).warnings());
        assertEquals(0, p.diagnostics().size(), "a warning, shown on the change");
        var e = assertThrows(DiagnosticsException.class,
                () -> planner.plan(s, state(), new PlanOptions(Set.of(), Set.of(), Set.of(), false, true)));
        assertTrue(e.getMessage().contains("test.thing.x: upgrade skips a minor release"), e.getMessage());
        assertTrue(e.getMessage().contains("--strict"), e.getMessage());
    }

    private static final String PROTECTED = """
            resources:
              - type: test.thing
                name: mesh
                lifecycle: {preventDestroy: true}
                spec: {value: "istiod"}
              - {type: test.thing, name: policy, spec: {value: "strict"}}
            """;

    @Test
    void preventDestroyRefusesDestroyAndReplaceWithThePositionOfTheSetting() {
        Stack s = stack(PROTECTED);
        applyAll(s);
        assertEquals("true", state().find("test.thing.mesh").orElseThrow().metadata().get(Planner.PREVENT_DESTROY_KEY));
        var destroy = assertThrows(DiagnosticsException.class, () -> planner.plan(s, state(),
                new PlanOptions(Set.of(), Set.of(), Set.of(), true, false)));
        assertTrue(destroy.getMessage().contains("`test.thing.mesh` has lifecycle.preventDestroy, and this plan would destroy it"),
                destroy.getMessage());
        assertTrue(destroy.getMessage().contains("stack.yaml:7:17: error"), "points at the setting: " + destroy.getMessage());
        var replace = assertThrows(DiagnosticsException.class, () -> planner.plan(s, state(),
                new PlanOptions(Set.of(), Set.of(), Set.of(a("test.thing.mesh")), false, false)));
        assertTrue(replace.getMessage().contains("would replace it"), replace.getMessage());
        // The rest can still go, with the protected resource left out of the run.
        Plan rest = planner.plan(s, state(), new PlanOptions(Set.of(), Set.of(a("test.thing.mesh")), Set.of(), true, false));
        assertEquals(List.of("test.thing.policy"), rest.changes().stream().map(c -> c.address().toString()).toList());
    }

    @Test
    void aProtectedResourceDroppedFromTheFileStaysProtectedUntilReleased() {
        applyAll(stack(PROTECTED));
        Stack dropped = stack("resources:\n  - {type: test.thing, name: policy, spec: {value: \"strict\"}}\n");
        var e = assertThrows(DiagnosticsException.class, () -> planner.plan(dropped, state(), PlanOptions.defaults()));
        assertTrue(e.getMessage().contains("state rm test.thing.mesh"), e.getMessage());

        // Released on purpose: preventDestroy: false is applied (no change to the object, only to the state, a step
        // the plan shows) ...
        Stack released = stack(PROTECTED.replace("preventDestroy: true", "preventDestroy: false"));
        Plan release = planner.plan(released, state(), PlanOptions.defaults());
        assertEquals("Plan: 0 to add, 0 to change, 0 to destroy, 1 to record.", release.summary().toString());
        assertTrue(release.changes().get(0).reason().contains("out of date (lifecycle.preventDestroy)"),
                release.changes().get(0).reason());
        applyAll(released);
        assertEquals(null, state().find("test.thing.mesh").orElseThrow().metadata().get(Planner.PREVENT_DESTROY_KEY));
        // ... and then dropping it destroys it.
        Plan gone = planner.plan(dropped, state(), PlanOptions.defaults());
        assertEquals(Action.DELETE, gone.changes().stream().filter(c -> c.address().equals(a("test.thing.mesh")))
                .findFirst().orElseThrow().action());
    }

    @Test
    void aTypeCanSayWhatDestroyingOneOfItsResourcesReallyDoes() {
        Stack s = stack("resources:\n  - {type: test.thing, name: cortex, spec: {value: \"ns\", adopted: true}}\n"
                + "  - {type: test.thing, name: other, spec: {value: \"x\"}}\n");
        applyAll(s);
        Plan destroy = planner.plan(s, state(), new PlanOptions(Set.of(), Set.of(), Set.of(), true, false));
        PlanAssert.assertPlan(destroy).destroys("test.thing.cortex").destroys("test.thing.other")
                .because("test.thing.cortex", "destroy requested; it was adopted, so it stays")
                .because("test.thing.other", "destroy requested");
    }

    @Test
    void lifecycleIsCheckedWhenTheFileIsLoaded() {
        var e = assertThrows(DiagnosticsException.class, () -> stack(
                "resources:\n  - {type: test.thing, name: x, lifecycle: {preventDestroy: yes please}, spec: {}}\n"));
        assertTrue(e.getMessage().contains("`preventDestroy` must be true or false"), e.getMessage());
        var typo = assertThrows(DiagnosticsException.class, () -> stack(
                "resources:\n  - {type: test.thing, name: x, lifecycle: {preventDestroyed: true}, spec: {}}\n"));
        assertTrue(typo.getMessage().contains("preventDestroy"), typo.getMessage());
    }

    @Test
    void savedPlanIsRefusedWhenStateOrLiveObjectsMoved() {
        Stack s = stack(TWO);
        applyAll(s);
        Stack changed = stack(TWO.replace("\"enabled\"", "\"disabled\""));
        Plan p = planner.plan(changed, state(), PlanOptions.defaults());
        Plan roundTripped = new PlanJson().read(new PlanJson().write(p, true));
        PlanBinding binding = new PlanBinding(cluster.registry());
        assertEquals(List.of(), binding.whatMoved(roundTripped, changed, state()));

        cluster.put(a("test.thing.labels"), JsonNodeFactory.instance.objectNode().put("value", "kubectl-edit"));
        List<String> moved = binding.whatMoved(roundTripped, changed, state());
        assertEquals(1, moved.size());
        assertTrue(moved.get(0).startsWith("test.thing.labels: the live object changed"), moved.get(0));

        assertTrue(binding.whatMoved(roundTripped, s, state()).get(0).contains("desired-state file"));

        // Applied where no state exists (another --context's file): its lineage is a fresh one, no history to name.
        String none = binding.whatMoved(roundTripped, changed, StateSnapshot.empty("test")).get(0);
        assertTrue(none.startsWith("there is no state now, and the plan was made with one (lineage "
                + state().lineage() + ", serial " + state().serial() + ")"), none);
    }

    private Plan apply(Stack s, PlanOptions options) {
        Plan p = planner.plan(s, state(), options);
        new Applier(cluster.registry(), 4, ApplyListener.NONE).apply(s, p, state(), store, new AtomicBoolean());
        return p;
    }

    /** A ConfigMap made by hand and then declared: Terraform asks for an import, and so does meshform. */
    @Test
    void anObjectMadeByHandIsRefusedNotTakenOverSilently() {
        cluster.put(a("test.thing.ns"), JsonNodeFactory.instance.objectNode().put("value", "ns"));
        var e = assertThrows(DiagnosticsException.class, () -> planner.plan(stack(TWO), state(), PlanOptions.defaults()));
        assertTrue(e.getMessage().contains("`test.thing.ns`: thing ns exists, not managed by meshform"), e.getMessage());
        assertTrue(e.getMessage().contains("meshform import test.thing.ns ns") && e.getMessage().contains("adopt: true"),
                e.getMessage());
        assertTrue(e.getMessage().contains("carries no meshform mark (made by hand or by another tool)"), e.getMessage());
        assertTrue(e.diagnostics().get(0).range().toString().endsWith("stack.yaml:5:5"), e.diagnostics().get(0).range().toString());
        assertTrue(store.writes().isEmpty(), "nothing recorded");
    }

    @Test
    void adoptTrueTakesItOverAndDestroyLeavesItInTheCluster() {
        cluster.put(a("test.thing.ns"), JsonNodeFactory.instance.objectNode().put("value", "ns"));
        Stack s = stack(TWO.replace("name: ns,", "name: ns, adopt: true,"));
        Plan p = apply(s, PlanOptions.defaults());
        ResourceChange adopt = p.changes().stream().filter(c -> c.address().equals(a("test.thing.ns"))).findFirst().orElseThrow();
        assertEquals(Action.UPDATE, adopt.action(), "an adoption is a change: apply marks and records the object");
        assertTrue(adopt.reason().startsWith("adopt: thing ns exists, not managed by meshform"), adopt.reason());
        assertEquals("true", state().find("test.thing.ns").orElseThrow().metadata().get(Planner.ADOPTED_KEY));
        assertEquals(state().lineage(), cluster.mark(a("test.thing.ns")), "now marked as this state's");

        Plan destroy = planner.plan(s, state(), PlanOptions.defaults().asDestroy());
        ResourceChange release = destroy.changes().stream().filter(c -> c.address().equals(a("test.thing.ns"))).findFirst().orElseThrow();
        assertTrue(release.reason().contains("it was adopted, not created by meshform: it stays in the cluster"), release.reason());
        // what the release does is listed as a delete's details are (the plan of an adopted namespace listed none)
        assertEquals(List.of(io.meshform.engine.spi.PlanDetail.note("releasing ns")), release.details());
        new Applier(cluster.registry(), 4, ApplyListener.NONE).apply(s, destroy, state(), store, new AtomicBoolean());
        assertTrue(cluster.history().contains("release test.thing.ns") && !cluster.history().contains("delete test.thing.ns"),
                cluster.history().toString());
        assertTrue(cluster.get(a("test.thing.ns")) != null, "kept");
        assertTrue(cluster.history().contains("delete test.thing.labels"), "what meshform made is deleted");
    }

    @Test
    void anAdoptedObjectIsDeletedOnlyWhenAsked() {
        cluster.put(a("test.thing.ns"), JsonNodeFactory.instance.objectNode().put("value", "ns"));
        Stack s = stack(TWO.replace("name: ns,", "name: ns, adopt: true,"));
        apply(s, PlanOptions.defaults());
        apply(s, new PlanOptions(Set.of(), Set.of(), Set.of(), true, false, true));
        assertTrue(cluster.history().contains("delete test.thing.ns"), cluster.history().toString());
    }

    /**
     * An apply that died between making an object and recording it: the next run knows the object by its mark and by
     * what that apply wrote it was creating, and records it; the apply that records it clears what was being created.
     */
    @Test
    void anObjectThisStateMadeButNeverRecordedIsRecognisedAsOwn() {
        Stack s = stack(TWO);
        apply(s, PlanOptions.defaults());
        StateSnapshot lost = state().without("test.thing.labels").withCreating(List.of("test.thing.labels"));
        store.write(lost);
        Plan p = planner.plan(s, state(), PlanOptions.defaults());
        assertTrue(p.changes().stream().anyMatch(c -> c.reason().contains("did not record it")), p.changes().toString());
        apply(s, PlanOptions.defaults());
        assertTrue(state().find("test.thing.labels").isPresent(), "recorded by the next apply");
        assertEquals(Set.of(), state().creating(), "recorded: no longer being created");
        assertEquals(1, cluster.history().stream().filter("create test.thing.labels"::equals).count(), "not made twice");
        assertFalse(planner.plan(s, state(), PlanOptions.defaults()).hasChanges(), "recorded: nothing left to do");
    }

    /**
     * The mark alone is no proof: anyone who may create the object can copy it (the lineage is on every object meshform
     * applies), and a forged object declared but never created by meshform was shown as "will be recorded in state",
     * its extra fields kept by the apply. Without an apply that wrote it was creating the resource (here: never
     * applied; the same after `meshform state rm`), it is refused like a hand-made object, with import as the way.
     */
    @Test
    void anObjectWithThisStatesMarkThatNoApplyWasCreatingIsRefused() {
        Stack s = stack(TWO);
        apply(s, PlanOptions.defaults());
        store.write(state().without("test.thing.labels"));
        DiagnosticsException e = assertThrows(DiagnosticsException.class, () -> planner.plan(s, state(), PlanOptions.defaults()));
        String text = e.getMessage();
        assertTrue(text.contains("`test.thing.labels`: thing labels exists, not managed by meshform"), text);
        assertTrue(text.contains("carries this state's mark for this resource, but the state does not record it and no"
                + " apply of this state wrote that it was creating it"), text);
        assertTrue(text.contains("`meshform import test.thing.labels labels`"), text);
        assertFalse(text.contains("carries no meshform mark"), "it does carry one: " + text);
    }

    /**
     * An entry whose object needs nothing but whose record is out of date (here its dependencies) is a record step the
     * plan shows: apply runs only what the plan shows, so a hidden rewrite of the entry would be a step nobody saw.
     */
    @Test
    void anOutdatedStateEntryIsAShownRecordStep() {
        apply(stack(TWO), PlanOptions.defaults());
        Stack s = stack(TWO.replace(", dependsOn: [test.thing.ns]", ""));
        Plan p = planner.plan(s, state(), PlanOptions.defaults());
        assertEquals("Plan: 0 to add, 0 to change, 0 to destroy, 1 to record.", p.summary().toString());
        ResourceChange labels = p.changes().stream().filter(c -> c.address().name().equals("labels")).findFirst().orElseThrow();
        assertTrue(labels.records() && labels.reason().contains("state entry is out of date (dependencies)"), labels.reason());
        apply(s, PlanOptions.defaults());
        assertEquals("", state().find("test.thing.labels").orElseThrow().metadata().get(Planner.DEPENDS_ON_KEY));
        assertFalse(planner.plan(s, state(), PlanOptions.defaults()).hasChanges(), "recorded: nothing left to do");
    }

    /** An entry that records more than is declared (an import records the live object) is not out of date. */
    @Test
    void anEntryRecordingMoreThanTheDeclarationIsUpToDate() {
        Stack s = stack(TWO);
        apply(s, PlanOptions.defaults());
        io.meshform.state.ResourceState labels = state().find("test.thing.labels").orElseThrow();
        tools.jackson.databind.node.ObjectNode more = labels.attributes().deepCopy();
        more.put("seenLive", "extra");
        store.write(state().with(new io.meshform.state.ResourceState(labels.address(), labels.type(), more, labels.metadata())));
        assertFalse(planner.plan(s, state(), PlanOptions.defaults()).hasChanges());
        Plan changed = planner.plan(stack(TWO.replace("\"enabled\"", "\"disabled\"")), state(), PlanOptions.defaults());
        assertEquals("Plan: 0 to add, 1 to change, 0 to destroy.", changed.summary().toString());
    }

    /**
     * Writing the state is something apply does, so the plan shows it and counts it (--detailed-exitcode exits 2), in
     * every form: after an apply that died before recording an object, "No changes" would hide the write.
     */
    @Test
    void aDeclaredObjectApplyOnlyRecordsIsShownAndCounted() {
        Stack s = stack(TWO);
        apply(s, PlanOptions.defaults());
        // an apply that wrote it was creating labels, created it, and died before recording it
        store.write(state().without("test.thing.labels").withCreating(List.of("test.thing.labels")));
        Plan p = planner.plan(s, state(), PlanOptions.defaults());
        assertTrue(p.hasChanges(), "apply writes the state: a change");
        ResourceChange labels = p.changes().stream().filter(c -> c.address().equals(a("test.thing.labels"))).findFirst().orElseThrow();
        assertEquals(Action.NOOP, labels.action());
        assertTrue(labels.records() && labels.changes(), labels.toString());
        assertEquals("Plan: 0 to add, 0 to change, 0 to destroy, 1 to record.", p.summary().toString());
        String text = new PlanText(Style.plain()).render(p);
        assertTrue(text.contains("# test.thing.labels will be recorded in state; nothing changes in the cluster"), text);
        assertTrue(text.contains("Plan: 0 to add, 0 to change, 0 to destroy, 1 to record."), text);
        assertFalse(text.contains("test.thing.ns"), "what is recorded and unchanged is not listed: " + text);
        String md = new io.meshform.engine.render.PlanMarkdown().render(p);
        assertTrue(md.contains("**Plan: 0 to add, 0 to change, 0 to destroy, 1 to record.**") && md.contains("`test.thing.labels`"), md);
        var json = new PlanJson().toJson(p, false);
        assertTrue(json.path("changes_present").asBoolean(), json.toString());
        assertEquals(1, json.path("summary").path("record").asInt(), json.toString());
        var entry = json.path("resource_changes").get(1);
        assertEquals("test.thing.labels", entry.path("address").asString(), json.toString());
        assertTrue(entry.path("record").asBoolean(), entry.toString());
        assertEquals("no-op", entry.path("change").path("actions").get(0).asString(), "Terraform's shape stays valid");
        assertFalse(json.path("resource_changes").get(0).has("record"), json.toString());
        // A saved plan keeps the step: apply PLANFILE records it, and the plan read back still counts it.
        Plan saved = new PlanJson().read(new PlanJson().write(p, true));
        assertEquals(p.summary(), saved.summary());
        new Applier(cluster.registry(), 4, ApplyListener.NONE).apply(s, saved, state(), store, new AtomicBoolean());
        assertTrue(state().find("test.thing.labels").isPresent());
        assertEquals(List.of("create test.thing.ns", "create test.thing.labels"), cluster.history(), "the cluster was not touched");
    }

    private static final String MONGO = """
            resources:
              - {type: test.thing, name: mesh, spec: {value: STRICT}}
              - {type: test.thing, name: mongo, spec: {object: mongo, value: PERMISSIVE}}
            """;

    /** `state mv` of a resource to a new address, while the stack still declares the old one (audit B, H1). */
    private StateSnapshot movedInStateOnly(String from, String to) {
        var r = state().find(from).orElseThrow();
        return state().without(from).with(new io.meshform.state.ResourceState(to, r.type(), r.attributes(), r.metadata()));
    }

    /**
     * After `state mv X Y` with X still declared, Y's delete would remove the very object X declares, and apply would
     * record X as present: refused, naming both and the two ways to finish the rename. Nothing is deleted.
     */
    @Test
    void aDeleteOfTheObjectADeclaredResourceReadsIsRefused() {
        Stack s = stack(MONGO);
        apply(s, PlanOptions.defaults());
        store.write(movedInStateOnly("test.thing.mongo", "test.thing.mongodb"));
        var e = assertThrows(DiagnosticsException.class, () -> planner.plan(s, state(), PlanOptions.defaults()));
        assertEquals(1, e.diagnostics().size(), e.getMessage());
        assertTrue(e.getMessage().contains("`test.thing.mongodb` and `test.thing.mongo` are the same object (thing mongo): this plan"
                + " would destroy `test.thing.mongodb`, the object `test.thing.mongo` declares"), e.getMessage());
        assertTrue(e.getMessage().contains("rename `test.thing.mongo` to `test.thing.mongodb` in the stack file"), e.getMessage());
        assertTrue(e.getMessage().contains("`meshform state mv test.thing.mongodb test.thing.mongo`"), e.getMessage());
        assertEquals(s.find(a("test.thing.mongo")).orElseThrow().source().range(), e.diagnostics().get(0).range());
        // --target of the moved address alone reads the declared one too: the delete is refused all the same.
        var targeted = assertThrows(DiagnosticsException.class, () -> planner.plan(s, state(),
                new PlanOptions(Set.of(a("test.thing.mongodb")), Set.of(), Set.of(), false, false)));
        assertTrue(targeted.getMessage().contains("are the same object"), targeted.getMessage());
        assertTrue(cluster.object("mongo") != null, "nothing deleted");
        // Following the message: the state entry moved back, nothing is left to do.
        store.write(movedInStateOnly("test.thing.mongodb", "test.thing.mongo"));
        assertFalse(planner.plan(s, state(), PlanOptions.defaults()).hasChanges());
        // Or the rename finished in the file: nothing to do either, and the object is never deleted.
        store.write(movedInStateOnly("test.thing.mongo", "test.thing.mongodb"));
        Stack renamed = stack(MONGO.replace("name: mongo,", "name: mongodb,"));
        Plan p = planner.plan(renamed, state(), PlanOptions.defaults());
        assertFalse(p.hasChanges(), p.changes().toString());
    }

    /** The other half-finished rename: renamed in the file, not in the state. One error, with the command that finishes it. */
    @Test
    void aRenameInTheFileWithoutStateMvIsRefusedWithTheMove() {
        Stack s = stack(MONGO);
        apply(s, PlanOptions.defaults());
        Stack renamed = stack(MONGO.replace("name: mongo,", "name: mongodb,"));
        var e = assertThrows(DiagnosticsException.class, () -> planner.plan(renamed, state(), PlanOptions.defaults()));
        assertEquals(1, e.diagnostics().size(), "not also \"exists, not managed\": " + e.getMessage());
        assertTrue(e.getMessage().contains("`test.thing.mongo` and `test.thing.mongodb` are the same object"), e.getMessage());
        assertTrue(e.getMessage().contains("`meshform state mv test.thing.mongo test.thing.mongodb`"), e.getMessage());
    }

    /** Two state entries for one object, one of them no longer declared: the fix is to forget the extra entry. */
    @Test
    void twoEntriesForOneObjectAskForStateRmOfTheOther() {
        Stack s = stack(MONGO);
        apply(s, PlanOptions.defaults());
        var r = state().find("test.thing.mongo").orElseThrow();
        store.write(state().with(new io.meshform.state.ResourceState("test.thing.copy", r.type(), r.attributes(), r.metadata())));
        var e = assertThrows(DiagnosticsException.class, () -> planner.plan(s, state(), PlanOptions.defaults()));
        assertTrue(e.getMessage().contains("`meshform state rm test.thing.copy`"), e.getMessage());
    }

    /** A removal of another object goes ahead: only the same object is refused. */
    @Test
    void aDeleteOfAnotherObjectIsPlannedAsBefore() {
        Stack s = stack(MONGO + "  - {type: test.thing, name: old, spec: {object: old, value: x}}\n");
        apply(s, PlanOptions.defaults());
        Plan p = apply(stack(MONGO), PlanOptions.defaults());
        assertEquals("Plan: 0 to add, 0 to change, 1 to destroy.", p.summary().toString());
        assertTrue(cluster.object("old") == null && cluster.object("mongo") != null);
    }

    /** A missing or mistyped state file is a new lineage: everything meshform made is refused, not taken over. */
    @Test
    void anotherStatesObjectsAreRefused() {
        Stack s = stack(TWO);
        apply(s, PlanOptions.defaults());
        var e = assertThrows(DiagnosticsException.class, () -> planner.plan(s, StateSnapshot.empty("test"), PlanOptions.defaults()));
        assertEquals(2, e.diagnostics().size(), e.getMessage());
        assertTrue(e.getMessage().contains("carries meshform's mark of another state"), e.getMessage());
        // The likely cause first (this run's state), and no invitation to take over what another stack may manage.
        String detail = e.diagnostics().get(0).detail();
        assertTrue(detail.contains("Most often this run has the wrong state: check -f, --state, --state-secret"), detail);
        assertTrue(detail.contains("or `adopt: true` would make two stacks manage one object"), detail);
        assertFalse(detail.contains("To manage it on purpose"), detail);
    }

    /** adopt: true takes over what nobody marked, not another stack's object: it says what import says without --take-over. */
    @Test
    void adoptTrueDoesNotTakeOverAnotherStatesObject() {
        apply(stack(TWO), PlanOptions.defaults());
        String otherLineage = state().lineage();
        Stack adopting = stack(TWO.replace("name: ns,", "name: ns, adopt: true,"));
        var e = assertThrows(DiagnosticsException.class,
                () -> planner.plan(adopting, StateSnapshot.empty("test"), PlanOptions.defaults()));
        String detail = e.diagnostics().stream().filter(d -> d.summary().startsWith("`test.thing.ns`")).findFirst()
                .orElseThrow(() -> new AssertionError(e.getMessage())).detail();
        assertTrue(detail.contains("carries meshform's mark of another state (lineage " + otherLineage
                + ", resource test.thing.ns)"), detail);
        assertTrue(detail.contains("`adopt: true` takes over only objects without meshform's mark"), detail);
        assertTrue(detail.contains("`meshform import --take-over test.thing.ns ns`"), detail);
        assertEquals(otherLineage, cluster.mark(a("test.thing.ns")), "still the other state's");
    }

    @Test
    void aCycleIsReportedAtTheDependsOnThatClosesIt() {
        var e = assertThrows(DiagnosticsException.class, () -> new Validator(cluster.registry()).validate(stack("""
                resources:
                  - {type: test.thing, name: a, dependsOn: [test.thing.b], spec: {}}
                  - {type: test.thing, name: b, dependsOn: [test.thing.c], spec: {}}
                  - {type: test.thing, name: c, dependsOn: [test.thing.a], spec: {}}
                """)));
        var d = e.diagnostics().get(0);
        assertEquals("dependency cycle: test.thing.a -> test.thing.b -> test.thing.c -> test.thing.a", d.summary());
        assertTrue(d.detail().startsWith("`test.thing.c` depends on `test.thing.a` here"), d.detail());
        assertEquals("stack.yaml:7:45", d.range().toString().substring(d.range().toString().lastIndexOf('/') + 1));
    }
}

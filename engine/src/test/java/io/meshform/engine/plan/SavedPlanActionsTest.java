package io.meshform.engine.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.apply.Applier;
import io.meshform.engine.apply.ApplyListener;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.Stack;
import io.meshform.engine.testing.InMemoryCluster;
import io.meshform.engine.testing.MemoryStateStore;
import io.meshform.engine.testing.Stacks;
import io.meshform.state.StateSnapshot;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A saved plan is a JSON file: its actions can be edited without moving what binds it (the stack's digest, the
 * state's serial, the live versions). Such a plan is refused before anything starts, by {@link PlanBinding} and again by
 * the applier, and lifecycle.preventDestroy holds whatever the file says (audit A, H2).
 */
class SavedPlanActionsTest {
    @TempDir
    Path dir;

    private final InMemoryCluster cluster = new InMemoryCluster();
    private final Planner planner = new Planner(cluster.registry(), "test");
    private final MemoryStateStore store = new MemoryStateStore();
    private final JsonMapper mapper = new JsonMapper();

    private static final String STACK = """
            resources:
              - type: test.thing
                name: mesh
                lifecycle: {preventDestroy: true}
                spec: {value: "istiod"}
              - {type: test.thing, name: strict, dependsOn: [test.thing.mesh], spec: {value: "STRICT"}}
              - {type: test.thing, name: ingress-auth, dependsOn: [test.thing.mesh], spec: {value: "CUSTOM"}}
            """;

    private static ResourceAddress a(String s) {
        return ResourceAddress.parse(s);
    }

    private Stack stack(String yaml) {
        return Stacks.load(cluster.registry(), dir, yaml);
    }

    private StateSnapshot state() {
        return store.read().orElse(StateSnapshot.empty("test"));
    }

    private Applier applier() {
        return new Applier(cluster.registry(), 4, ApplyListener.NONE);
    }

    /** Applies the stack, and returns the "No changes" plan saved right after. */
    private Plan appliedThenNoChanges(Stack s) {
        Plan first = planner.plan(s, state(), PlanOptions.defaults());
        assertTrue(applier().apply(s, first, state(), store, new AtomicBoolean()).succeeded());
        Plan noop = planner.plan(s, state(), PlanOptions.defaults());
        assertTrue(!noop.hasChanges(), "no changes after apply");
        return noop;
    }

    /** The plan as saved, edited as a text editor would, and read back as apply reads it. */
    private Plan edited(Plan plan, Consumer<ObjectNode> edit) {
        ObjectNode json = new PlanJson().toJson(plan, true);
        edit.accept(json);
        return new PlanJson().read(mapper.writeValueAsString(json));
    }

    private static ObjectNode entry(ObjectNode plan, String address) {
        for (JsonNode c : plan.get("resource_changes")) {
            if (c.get("address").asString().equals(address)) {
                return (ObjectNode) c;
            }
        }
        throw new AssertionError(address + " is not in the plan");
    }

    private static void setActions(ObjectNode plan, String address, String... actions) {
        ObjectNode c = entry(plan, address);
        ArrayNode list = c.putArray("actions");
        for (String action : actions) {
            list.add(action);
        }
        plan.put("changes_present", true);
    }

    /** Nothing reached the cluster or the state: the same history, the same serial. */
    private void assertNothingChanged(List<String> history, long serial) {
        assertEquals(history, cluster.history(), "nothing ran against the cluster");
        assertEquals(serial, state().serial(), "nothing was written to the state");
    }

    @Test
    void aNoopEditedIntoADeleteOfADeclaredResourceIsRefusedAndDeletesNothing() {
        Stack s = stack(STACK);
        Plan noop = appliedThenNoChanges(s);
        Plan tampered = edited(noop, p -> {
            setActions(p, "test.thing.strict", "delete");
            setActions(p, "test.thing.ingress-auth", "delete");
        });
        // Every binding still holds: this is why the actions need a check of their own.
        assertEquals(List.of(), new PlanBinding(cluster.registry()).whatMoved(tampered, s, state()));

        List<String> wrong = PlanBinding.inconsistencies(tampered, s, state());
        assertEquals(2, wrong.size(), wrong.toString());
        assertTrue(wrong.stream().anyMatch(w -> w.startsWith("`test.thing.strict`: the plan would delete it, but the stack"
                + " still declares it")), wrong.toString());

        List<String> history = List.copyOf(cluster.history());
        long serial = state().serial();
        var e = assertThrows(DiagnosticsException.class,
                () -> applier().apply(s, tampered, state(), store, new AtomicBoolean()));
        assertTrue(e.getMessage().contains("the stack still declares it"), e.getMessage());
        assertTrue(e.getMessage().contains("run `meshform plan` again"), e.getMessage());
        assertNothingChanged(history, serial);
        assertTrue(cluster.get(a("test.thing.strict")) != null && cluster.get(a("test.thing.ingress-auth")) != null);
    }

    @Test
    void aNoopEditedIntoADeleteOfAProtectedResourceIsRefusedForBothReasons() {
        Stack s = stack(STACK);
        Plan tampered = edited(appliedThenNoChanges(s), p -> setActions(p, "test.thing.mesh", "delete"));
        List<String> history = List.copyOf(cluster.history());
        long serial = state().serial();
        var e = assertThrows(DiagnosticsException.class,
                () -> applier().apply(s, tampered, state(), store, new AtomicBoolean()));
        assertTrue(e.getMessage().contains("`test.thing.mesh`: the plan would delete it, but the stack still declares it"),
                e.getMessage());
        assertTrue(e.getMessage().contains("`test.thing.mesh` has lifecycle.preventDestroy, and this plan would destroy it"),
                e.getMessage());
        assertNothingChanged(history, serial);
    }

    /**
     * A plan edited into a destroy plan is one this stack and state could have had: its actions are consistent. The
     * applier still refuses to destroy what preventDestroy protects, and then starts nothing at all.
     */
    @Test
    void preventDestroyHoldsAgainstAPlanEditedIntoADestroyPlan() {
        Stack s = stack(STACK);
        Plan tampered = edited(appliedThenNoChanges(s), p -> {
            p.put("destroy", true);
            for (String addr : List.of("test.thing.mesh", "test.thing.strict", "test.thing.ingress-auth")) {
                setActions(p, addr, "delete");
            }
        });
        assertEquals(List.of(), PlanBinding.inconsistencies(tampered, s, state()));
        List<String> history = List.copyOf(cluster.history());
        long serial = state().serial();
        var e = assertThrows(DiagnosticsException.class,
                () -> applier().apply(s, tampered, state(), store, new AtomicBoolean()));
        assertTrue(e.getMessage().contains("`test.thing.mesh` has lifecycle.preventDestroy, and this plan would destroy it"),
                e.getMessage());
        assertNothingChanged(history, serial);
    }

    @Test
    void aReplaceOfAProtectedResourceIsRefused() {
        Stack s = stack(STACK);
        Plan tampered = edited(appliedThenNoChanges(s), p -> setActions(p, "test.thing.mesh", "delete", "create"));
        assertEquals(List.of(), PlanBinding.inconsistencies(tampered, s, state()), "a replace keeps the resource declared");
        List<String> history = List.copyOf(cluster.history());
        long serial = state().serial();
        var e = assertThrows(DiagnosticsException.class,
                () -> applier().apply(s, tampered, state(), store, new AtomicBoolean()));
        assertTrue(e.getMessage().contains("and this plan would replace it"), e.getMessage());
        assertNothingChanged(history, serial);
    }

    /** Dropped from the file but applied with preventDestroy: the state's record protects it, whatever the plan says. */
    @Test
    void aResourceRecordedAsProtectedIsNotDeletedByAnEditedPlan() {
        appliedThenNoChanges(stack(STACK));
        Stack dropped = stack("""
                resources:
                  - {type: test.thing, name: strict, spec: {value: "STRICT"}}
                  - {type: test.thing, name: ingress-auth, spec: {value: "CUSTOM"}}
                """);
        // The planner refuses the whole plan; with the protected resource excluded it plans the rest ...
        Plan rest = planner.plan(dropped, state(), new PlanOptions(Set.of(), Set.of(a("test.thing.mesh")), Set.of(), false, false));
        // ... and an editor adds the delete the planner refused.
        Plan tampered = edited(rest, p -> {
            ObjectNode mesh = entry(p, "test.thing.strict").deepCopy();
            mesh.put("address", "test.thing.mesh");
            mesh.put("name", "mesh");
            ((ArrayNode) p.get("resource_changes")).add(mesh);
            setActions(p, "test.thing.mesh", "delete");
        });
        assertEquals(List.of(), PlanBinding.inconsistencies(tampered, dropped, state()), "recorded and no longer declared");
        List<String> history = List.copyOf(cluster.history());
        long serial = state().serial();
        var e = assertThrows(DiagnosticsException.class,
                () -> applier().apply(dropped, tampered, state(), store, new AtomicBoolean()));
        assertTrue(e.getMessage().contains("`test.thing.mesh` has lifecycle.preventDestroy"), e.getMessage());
        assertTrue(e.getMessage().contains("state rm test.thing.mesh"), e.getMessage());
        assertNothingChanged(history, serial);
    }

    @Test
    void aCreateOfAnUndeclaredResourceAndAnActionOnAnUnknownAddressAreRefused() {
        Stack s = stack(STACK);
        Plan noop = appliedThenNoChanges(s);
        Stack dropped = stack(STACK.replace(
                "  - {type: test.thing, name: ingress-auth, dependsOn: [test.thing.mesh], spec: {value: \"CUSTOM\"}}\n", ""));
        Plan gone = planner.plan(dropped, state(), PlanOptions.defaults());
        Plan recreated = edited(gone, p -> setActions(p, "test.thing.ingress-auth", "update"));
        List<String> wrong = PlanBinding.inconsistencies(recreated, dropped, state());
        assertEquals(1, wrong.size(), wrong.toString());
        assertTrue(wrong.get(0).contains("`test.thing.ingress-auth`: the plan would update it, but the stack does not declare it"),
                wrong.get(0));

        Plan unknown = edited(noop, p -> {
            ObjectNode extra = entry(p, "test.thing.strict").deepCopy();
            extra.put("address", "test.thing.elsewhere");
            extra.put("name", "elsewhere");
            ((ArrayNode) p.get("resource_changes")).add(extra);
            setActions(p, "test.thing.elsewhere", "delete");
        });
        wrong = PlanBinding.inconsistencies(unknown, s, state());
        assertEquals(List.of("`test.thing.elsewhere`: the plan would delete it, but the stack does not declare it and the state"
                + " does not record it"), wrong);

        Plan twice = edited(noop, p -> ((ArrayNode) p.get("resource_changes")).add(entry(p, "test.thing.strict").deepCopy()));
        assertTrue(PlanBinding.inconsistencies(twice, s, state()).get(0).contains("listed more than once"));

        List<String> history = List.copyOf(cluster.history());
        long serial = state().serial();
        assertThrows(DiagnosticsException.class, () -> applier().apply(dropped, recreated, state(), store, new AtomicBoolean()));
        assertThrows(DiagnosticsException.class, () -> applier().apply(s, unknown, state(), store, new AtomicBoolean()));
        assertThrows(DiagnosticsException.class, () -> applier().apply(s, twice, state(), store, new AtomicBoolean()));
        assertNothingChanged(history, serial);
    }

    @Test
    void aDestroyPlanOnlyDeletesWhatTheStateRecords() {
        Stack s = stack(STACK.replace("lifecycle: {preventDestroy: true}", "lifecycle: {preventDestroy: false}"));
        appliedThenNoChanges(s);
        Plan destroy = planner.plan(s, state(), PlanOptions.defaults().asDestroy());
        assertEquals(List.of(), PlanBinding.inconsistencies(destroy, s, state()), "a real destroy plan is consistent");
        Plan withCreate = edited(destroy, p -> setActions(p, "test.thing.strict", "create"));
        assertTrue(PlanBinding.inconsistencies(withCreate, s, state()).get(0)
                .contains("`test.thing.strict`: the plan is a destroy plan, which only deletes, but it would create it"));
    }

    @Test
    void plansAsThePlannerMakesThemAreConsistentAndApply() {
        Stack s = stack(STACK);
        Plan first = planner.plan(s, state(), PlanOptions.defaults());
        Plan saved = new PlanJson().read(new PlanJson().write(first, true));
        assertEquals(List.of(), PlanBinding.inconsistencies(saved, s, state()));
        assertTrue(applier().apply(s, saved, state(), store, new AtomicBoolean()).succeeded());

        Stack dropped = stack(STACK.replace(
                "  - {type: test.thing, name: ingress-auth, dependsOn: [test.thing.mesh], spec: {value: \"CUSTOM\"}}\n", "")
                .replace("STRICT", "PERMISSIVE"));
        Plan change = new PlanJson().read(new PlanJson().write(planner.plan(dropped, state(), PlanOptions.defaults()), true));
        assertEquals(List.of(), PlanBinding.inconsistencies(change, dropped, state()));
        assertTrue(applier().apply(dropped, change, state(), store, new AtomicBoolean()).succeeded());
        assertTrue(cluster.history().contains("delete test.thing.ingress-auth"), cluster.history().toString());

        Plan replace = planner.plan(dropped, state(), new PlanOptions(Set.of(), Set.of(), Set.of(a("test.thing.strict")), false, false));
        assertEquals(List.of(), PlanBinding.inconsistencies(replace, dropped, state()));
        assertTrue(applier().apply(dropped, replace, state(), store, new AtomicBoolean()).succeeded());
    }
}

package io.meshform.engine.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.Stack;
import io.meshform.engine.plan.Plan;
import io.meshform.engine.plan.PlanBinding;
import io.meshform.engine.plan.PlanJson;
import io.meshform.engine.plan.ResourceChange;
import io.meshform.engine.render.PlanMarkdown;
import io.meshform.engine.render.PlanText;
import io.meshform.engine.render.Style;
import io.meshform.engine.plan.PlanOptions;
import io.meshform.engine.plan.Planner;
import io.meshform.engine.testing.InMemoryCluster;
import io.meshform.engine.testing.MemoryStateStore;
import io.meshform.engine.testing.Stacks;
import io.meshform.state.StateSnapshot;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * A move whose old object's delete failed, followed by another change of the stack before the retry: no object may be
 * left in the cluster that the state does not record (Terraform's deposed objects). Before format 4 the state kept
 * recording the old object and not the new one, so moving again, removing the resource, or destroying, left the new one
 * behind with nothing recording it.
 */
class DeposedObjectTest {
    @TempDir
    Path dir;

    private final InMemoryCluster cluster = new InMemoryCluster();
    private final MemoryStateStore store = new MemoryStateStore();
    private final ResourceAddress policy = ResourceAddress.parse("test.thing.policy");

    private Stack stack(String object) {
        return Stacks.load(cluster.registry(), dir, object == null ? "resources: []\n"
                : "resources:\n  - {type: test.thing, name: policy, spec: {object: " + object + "}}\n");
    }

    private StateSnapshot state() {
        return store.read().orElse(StateSnapshot.empty("t"));
    }

    private ApplyResult apply(Stack s, PlanOptions options) {
        Plan p = new Planner(cluster.registry(), "t").plan(s, state(), options);
        return new Applier(cluster.registry(), 1, ApplyListener.NONE).apply(s, p, state(), store, new AtomicBoolean());
    }

    private ApplyResult apply(Stack s) {
        return apply(s, PlanOptions.defaults());
    }

    /** Objects in the cluster that neither a state entry nor a deposed record names: nothing would ever delete them. */
    private Set<String> orphans() {
        Set<String> out = new TreeSet<>(cluster.objectKeys());
        StateSnapshot s = state();
        s.resources().forEach(r -> out.remove(InMemoryCluster.objectKey(ResourceAddress.of(r), r.attributes())));
        s.deposed().forEach(d -> out.remove(InMemoryCluster.objectKey(policy, d.object().attributes())));
        return out;
    }

    /** Moved from cortex to cortx; the old object's delete failed. */
    private void moveWhoseDeleteFails() {
        assertTrue(apply(stack("cortex")).succeeded());
        cluster.failDeleteOn(policy);
        assertFalse(apply(stack("cortx")).succeeded());
        assertEquals(Set.of("object cortex", "object cortx"), cluster.objectKeys());
        assertEquals(Set.of(), orphans(), "right after the failure both objects are recorded");
    }

    @Test
    void movedAgainBeforeTheRetry() {
        moveWhoseDeleteFails();
        assertTrue(apply(stack("cortz")).succeeded());
        assertEquals(Set.of(), orphans());
        assertEquals(Set.of("object cortz"), cluster.objectKeys());
        assertTrue(state().deposed().isEmpty());
    }

    @Test
    void removedFromTheStackBeforeTheRetry() {
        moveWhoseDeleteFails();
        assertTrue(apply(stack(null)).succeeded());
        assertEquals(Set.of(), cluster.objectKeys());
        assertTrue(state().resources().isEmpty() && state().deposed().isEmpty());
    }

    @Test
    void replacedBeforeTheRetry() {
        moveWhoseDeleteFails();
        assertTrue(apply(stack("cortx"), new PlanOptions(Set.of(), Set.of(), Set.of(policy), false, false)).succeeded());
        assertEquals(Set.of(), orphans());
        assertEquals(Set.of("object cortx"), cluster.objectKeys());
    }

    @Test
    void destroyedBeforeTheRetry() {
        moveWhoseDeleteFails();
        assertTrue(apply(stack("cortx"), PlanOptions.defaults().asDestroy()).succeeded());
        assertEquals(Set.of(), cluster.objectKeys());
    }

    /** The checks judge the cluster as the plan leaves it: the deposed object it deletes is not judged as staying. */
    @Test
    void theChecksSeeTheDeposedObjectAsRemoved() {
        moveWhoseDeleteFails();
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        cluster.addCheck("sees", c -> {
            seen.add("after " + c.after().keySet() + " removed " + c.removed());
            return List.of();
        });
        new Planner(cluster.registry(), "t").plan(stack("cortx"), state(), PlanOptions.defaults());
        assertFalse(seen.isEmpty(), "the check ran");
        assertTrue(seen.stream().allMatch(l -> l.equals("after [test.thing.policy] removed {test.thing.policy={\"object\":\"cortex\"}}")),
                seen.toString());
    }

    @Test
    void retriedWithTheSameStack() {
        moveWhoseDeleteFails();
        assertTrue(apply(stack("cortx")).succeeded());
        assertEquals(Set.of("object cortx"), cluster.objectKeys());
        assertEquals(Set.of(), orphans());
    }

    private Plan plan(Stack s) {
        return new Planner(cluster.registry(), "t").plan(s, state(), PlanOptions.defaults());
    }

    @Test
    void everyFormOfThePlanShowsTheDeposedObjectsDelete() {
        moveWhoseDeleteFails();
        String key = state().deposed().get(0).key();
        Plan p = plan(stack("cortx"));
        String text = new PlanText(Style.plain()).render(p);
        assertTrue(text.contains("# test.thing.policy (deposed object " + key + ") will be destroyed (the old object of a move,"
                + " whose delete did not go through)"), text);
        assertTrue(text.contains("  - test.thing.policy (deposed object " + key + ")\n"), text);
        assertTrue(text.contains("- object: cortex"), text);
        assertTrue(text.contains("Plan: 0 to add, 0 to change, 1 to destroy."), text);
        String markdown = new PlanMarkdown().render(p);
        assertTrue(markdown.contains("`test.thing.policy (deposed object " + key + ")`"), markdown);
        String json = new PlanJson().write(p, true);
        assertTrue(json.replaceAll("\\s", "").contains("\"name\":\"policy\",\"deposed\":\"" + key + "\",\"actions\":[\"delete\"]"),
                json);
        Plan read = new PlanJson().read(json);
        ResourceChange saved = read.changes().get(read.changes().size() - 1);
        assertEquals(key, saved.deposedKey(), "a saved plan keeps which object it deletes");
        assertEquals(List.of(), PlanBinding.inconsistencies(read, stack("cortx"), state()));
        assertEquals(List.of("`test.thing.policy (deposed object 00000000)`: the plan would delete it, but a plan only deletes a"
                        + " deposed object the state records, once"),
                PlanBinding.inconsistencies(new PlanJson().read(json.replace(key, "00000000")), stack("cortx"), state()));
    }

    @Test
    void aDeposedObjectWithoutThisStatesMarkIsKeptRecordedWithAWarning() {
        moveWhoseDeleteFails();
        cluster.put(policy, JsonMapper.builder().build().createObjectNode().put("object", "cortex"));  // made again by hand
        Plan p = plan(stack("cortx"));
        assertFalse(p.hasChanges(), p.changes().toString());
        String warned = p.diagnostics().toString();
        assertTrue(warned.contains("does not carry this state's mark, so it is not deleted and stays recorded"), warned);
        assertTrue(warned.contains("`meshform state rm test.thing.policy`"), warned);
        io.meshform.engine.diag.DiagnosticsException strict = org.junit.jupiter.api.Assertions.assertThrows(
                io.meshform.engine.diag.DiagnosticsException.class, () -> new Planner(cluster.registry(), "t").plan(
                        stack("cortx"), state(), new PlanOptions(Set.of(), Set.of(), Set.of(), false, true)));
        assertTrue(strict.getMessage().contains("(an error because of --strict)"), strict.getMessage());
        assertTrue(apply(stack("cortx")).succeeded());
        assertEquals(Set.of("object cortex", "object cortx"), cluster.objectKeys());
        assertEquals(1, state().deposed().size(), "kept until state rm");
    }

    /** Nothing is destroyed: the plan counts its record as forgotten, in every form, and apply deletes nothing. */
    @Test
    void aDeposedObjectAlreadyGoneOnlyLosesItsRecord() {
        moveWhoseDeleteFails();
        String key = state().deposed().get(0).key();
        cluster.removeObject("cortex");
        Plan p = plan(stack("cortx"));
        assertTrue(p.diagnostics().toString().contains("is already gone from the cluster: apply drops its record"),
                p.diagnostics().toString());
        assertTrue(p.hasChanges(), "apply must run to drop the record");
        assertEquals(new Plan.Summary(0, 0, 0, 1, 0), p.summary());
        String text = new PlanText(Style.plain()).render(p);
        assertTrue(text.contains("# test.thing.policy (deposed object " + key + ") is already deleted; its record will be"
                + " removed from the state (the old object of a move, whose delete did not go through; something else"
                + " deleted it since)"), text);
        assertTrue(text.contains("Plan: 0 to add, 0 to change, 0 to destroy, 1 to forget."), text);
        assertFalse(text.contains("will be destroyed"), text);
        assertTrue(new PlanMarkdown().render(p).contains("**Plan: 0 to add, 0 to change, 0 to destroy, 1 to forget.**"));
        tools.jackson.databind.JsonNode json = JsonMapper.builder().build().readTree(new PlanJson().write(p, true));
        assertEquals("{\"add\":0,\"change\":0,\"destroy\":0,\"forget\":1,\"record\":0,\"wait\":0}", json.get("summary").toString());
        tools.jackson.databind.JsonNode changes = json.get("resource_changes");
        tools.jackson.databind.JsonNode entry = changes.get(changes.size() - 1);
        assertEquals(key, entry.get("deposed").asString());
        assertTrue(entry.get("forget").asBoolean(), entry.toString());
        Plan read = new PlanJson().read(new PlanJson().write(p, true));
        assertEquals(p.summary(), read.summary(), "a saved plan counts it alike");
        assertEquals(List.of(), PlanBinding.inconsistencies(read, stack("cortx"), state()));
        int before = cluster.history().size();
        assertTrue(apply(stack("cortx")).succeeded());
        assertEquals(List.of(), cluster.history().subList(before, cluster.history().size()), "nothing to delete");
        assertTrue(state().deposed().isEmpty());
    }

    @Test
    void aFailedDeleteOfTheDeposedObjectKeepsItRecorded() {
        moveWhoseDeleteFails();
        cluster.failDeleteOn(policy);
        ApplyResult r = apply(stack(null));
        assertFalse(r.succeeded());
        assertEquals(1, state().deposed().size());
        assertEquals(Set.of(), orphans());
        assertTrue(apply(stack(null)).succeeded());
        assertEquals(Set.of(), cluster.objectKeys());
        assertTrue(state().deposed().isEmpty());
    }

    /**
     * The crash guarantee, write by write: the state never records the new object without the old one (as the
     * resource's or as deposed), so a run killed between any two writes leaves both known. The new entry and the old
     * one's deposed record are one write (one journal record for the local file).
     */
    @Test
    void noWriteOfAMoveRecordsTheNewObjectWithoutTheOldOne() {
        assertTrue(apply(stack("cortex")).succeeded());
        int from = store.writes().size();
        assertTrue(apply(stack("cortx")).succeeded());
        List<String> seen = new java.util.ArrayList<>();
        for (StateSnapshot w : store.writes().subList(from - 1, store.writes().size())) {
            String step = w.find("test.thing.policy").orElseThrow().attributes().get("object").asString() + " deposed "
                    + w.deposed().stream().map(d -> d.object().attributes().get("object").asString()).toList();
            if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(step)) {
                seen.add(step);
            }
        }
        assertEquals(List.of("cortex deposed []", "cortx deposed [cortex]", "cortx deposed []"), seen);
    }
}

package io.meshform.engine.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.Stack;
import io.meshform.engine.plan.Plan;
import io.meshform.engine.plan.PlanJson;
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
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replacement by a different object (a policy moved to another namespace) creates the new object before it deletes
 * the old one. Deleting first, a create refused (the new namespace does not exist) left the gateway without its CUSTOM
 * policy, or the PERMISSIVE exception gone, until someone noticed.
 */
class CreateFirstReplaceTest {
    @TempDir
    Path dir;

    private final InMemoryCluster cluster = new InMemoryCluster();
    private final MemoryStateStore store = new MemoryStateStore();
    private final ResourceAddress policy = ResourceAddress.parse("test.thing.policy");

    private Stack stack(String object) {
        return Stacks.load(cluster.registry(), dir, "resources:\n  - {type: test.thing, name: policy, spec: {object: " + object + "}}\n");
    }

    private Plan plan(Stack s) {
        return new Planner(cluster.registry(), "t").plan(s, store.read().orElse(StateSnapshot.empty("t")), PlanOptions.defaults());
    }

    private ApplyResult apply(Stack s) {
        Plan p = plan(s);
        return new Applier(cluster.registry(), 1, ApplyListener.NONE)
                .apply(s, p, store.read().orElse(StateSnapshot.empty("t")), store, new AtomicBoolean());
    }

    @Test
    void aMoveCreatesTheNewObjectBeforeDeletingTheOldOne() {
        assertTrue(apply(stack("cortex")).succeeded());
        assertTrue(apply(stack("cortx")).succeeded());
        List<String> history = cluster.history();
        assertEquals(List.of("create test.thing.policy", "delete test.thing.policy"), history.subList(history.size() - 2, history.size()));
        assertNull(cluster.object("cortex"));
        assertNotNull(cluster.object("cortx"));
        assertEquals("cortx", store.read().orElseThrow().find("test.thing.policy").orElseThrow().attributes().get("object").asString());
    }

    @Test
    void aFailedCreateLeavesTheOldObjectInForceAndRecorded() {
        assertTrue(apply(stack("cortex")).succeeded());
        cluster.failOn(policy);
        assertFalse(apply(stack("cortx")).succeeded());
        assertNotNull(cluster.object("cortex"), "the old policy must stay in force when its successor was not created");
        assertEquals("cortex", store.read().orElseThrow().find("test.thing.policy").orElseThrow().attributes().get("object").asString());
    }

    @Test
    void thePlanSaysTheOrder() {
        assertTrue(apply(stack("cortex")).succeeded());
        Plan p = plan(stack("cortx"));
        ResourceChange c = p.changes().get(0);
        assertEquals(Action.REPLACE, c.action());
        String text = new PlanText(Style.plain()).render(p);
        assertTrue(text.contains("# test.thing.policy will be replaced: the new object is applied first, the old one deleted after"), text);
        assertTrue(text.contains("+/- test.thing.policy"), text);
        String json = new PlanJson().write(p, true);
        assertTrue(json.replaceAll("\\s", "").contains("\"actions\":[\"create\",\"delete\"]"), json);
        assertTrue(new PlanJson().read(json).changes().get(0).createsFirst(), "a saved plan keeps the order");
    }

    @Test
    void checksSeeTheOldObjectRemoved() {
        assertTrue(apply(stack("cortex")).succeeded());
        java.util.concurrent.atomic.AtomicReference<io.meshform.engine.spi.CheckContext> seen = new java.util.concurrent.atomic.AtomicReference<>();
        cluster.addCheck("sees", ctx -> {
            seen.set(ctx);
            return List.of();
        });
        plan(stack("cortx"));
        assertEquals("cortx", seen.get().after().get(policy).get("object").asString());
        assertEquals(java.util.Set.of(policy), seen.get().removed().keySet(),
                "the old object is deleted by the plan: a check must not call it unmanaged and staying");
        assertEquals("cortex", seen.get().removed().get(policy).get("object").asString());
    }
}

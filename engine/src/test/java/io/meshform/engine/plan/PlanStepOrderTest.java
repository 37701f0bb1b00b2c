package io.meshform.engine.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.Action;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The plan JSON says in which order apply carries the steps out ({@code step}, {@code waits_for}): it had only each
 * resource's {@code depends_on}, which a delete follows backwards, which names resources apply does nothing for, and
 * which leaves out the waits of types that run one at a time and of deposed objects, so a reviewer or a CI tool could
 * not tell what apply waits for before each step.
 */
class PlanStepOrderTest {
    private static final JsonNode VALUE = JsonNodeFactory.instance.objectNode().put("x", "1");

    private static ResourceChange change(String address, Action action, Map<String, String> data, String... deps) {
        List<ResourceAddress> dependsOn = new ArrayList<>();
        for (String d : deps) {
            dependsOn.add(ResourceAddress.parse(d));
        }
        return new ResourceChange(ResourceAddress.parse(address), action, "why", action == Action.CREATE ? null : VALUE,
                action == Action.DELETE ? null : VALUE, List.of(), List.of(), data, "1", dependsOn);
    }

    private static JsonNode json(List<ResourceChange> changes) {
        Plan plan = new Plan("test", "s", "d", "l", 1, false, changes, List.of());
        return JsonMapper.builder().build().readTree(new PlanJson().write(plan, false)).path("resource_changes");
    }

    @Test
    void createsWaitForWhatTheyDependOnAndNoOpsAreNoSteps() {
        JsonNode changes = json(List.of(
                change("test.thing.base", Action.NOOP, Map.of()),
                change("test.thing.ns", Action.CREATE, Map.of()),
                change("test.thing.app", Action.CREATE, Map.of(), "test.thing.ns", "test.thing.base"),
                change("test.thing.other", Action.UPDATE, Map.of(), "test.thing.base")));
        assertFalse(changes.get(0).has("step"), "apply does nothing for a no-op");
        assertFalse(changes.get(0).has("waits_for"));
        assertEquals(1, changes.get(1).path("step").asInt());
        assertEquals("[]", changes.get(1).path("waits_for").toString());
        assertEquals(2, changes.get(2).path("step").asInt());
        assertEquals("[1]", changes.get(2).path("waits_for").toString(), "the no-op it depends on is not waited for");
        assertEquals(3, changes.get(3).path("step").asInt());
        assertEquals("[]", changes.get(3).path("waits_for").toString());
    }

    @Test
    void aDeleteWaitsForTheDeletesOfWhatDependedOnIt() {
        JsonNode changes = json(List.of(
                change("test.thing.app", Action.DELETE, Map.of(), "test.thing.ns"),
                change("test.thing.ns", Action.DELETE, Map.of())));
        assertEquals("[]", changes.get(0).path("waits_for").toString());
        // depends_on of the namespace names nothing; its delete waits for the app's
        assertEquals("[]", changes.get(1).path("depends_on").toString());
        assertEquals("[1]", changes.get(1).path("waits_for").toString());
    }

    @Test
    void aStepOfAOneAtATimeTypeWaitsForTheOneBeforeIt() {
        JsonNode changes = json(List.of(
                change("test.install.canary", Action.CREATE, Map.of()),
                change("test.install.stable", Action.DELETE, Map.of(SerialSteps.AFTER, "test.install.canary",
                        SerialSteps.WHY, "one istioctl at a time"))));
        assertEquals("[1]", changes.get(1).path("waits_for").toString());
    }

    @Test
    void deposedDeletesComeLastOneByOne() {
        JsonNode changes = json(List.of(
                change("test.thing.a", Action.UPDATE, Map.of()),
                change("test.thing.b", Action.DELETE, Map.of(DeposedDeletes.KEY, "0000000a")),
                change("test.thing.c", Action.CREATE, Map.of()),
                change("test.thing.d", Action.DELETE, Map.of(DeposedDeletes.KEY, "0000000b"))));
        assertEquals("[1,3]", changes.get(1).path("waits_for").toString());
        assertEquals("[]", changes.get(2).path("waits_for").toString());
        assertEquals("[1,2,3]", changes.get(3).path("waits_for").toString());
    }

    /** The applier and the JSON read one rule: the same waits, by address, for the graph's steps. */
    @Test
    void theJsonSaysWhatTheApplierWaitsFor() {
        List<ResourceChange> steps = List.of(
                change("test.thing.ns", Action.CREATE, Map.of()),
                change("test.thing.app", Action.UPDATE, Map.of(), "test.thing.ns"),
                change("test.thing.old", Action.DELETE, Map.of(), "test.thing.ns"));
        Map<ResourceAddress, java.util.Set<ResourceAddress>> waits = StepOrder.waits(steps);
        assertEquals(java.util.Set.of(ResourceAddress.parse("test.thing.ns")), waits.get(ResourceAddress.parse("test.thing.app")));
        assertEquals(java.util.Set.of(), waits.get(ResourceAddress.parse("test.thing.old")), "a delete of a dependent of a create");
        assertEquals(List.of(List.of(), List.of(0), List.of()), StepOrder.of(steps));
    }
}

package io.meshform.engine.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.plan.Plan;
import io.meshform.engine.plan.PlanJson;
import io.meshform.engine.plan.ResourceChange;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.PlannedChange;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * An object as declared whose readiness wait no apply finished (the apply was interrupted, or its wait timed out): apply
 * writes it again unchanged and waits for it. The plan said "will be updated in-place" and counted it under "to change",
 * though nothing in it changes; text, JSON and Markdown now say it will be waited for, and count it apart.
 */
class WaitOnlyPlanTest {
    private static final String REASON = "ConfigMap r1/gate is as declared but not data.ready = yes, and no apply finished"
            + " waiting for it";

    private static Plan plan() {
        var value = JsonNodeFactory.instance.objectNode().put("x", "1");
        ResourceChange gate = new ResourceChange(ResourceAddress.parse("kubernetes.manifest.gate"), Action.UPDATE, REASON,
                value, value, List.of(), List.of(), Map.of(PlannedChange.WAIT_ONLY, "true"), "7", List.of());
        ResourceChange dependent = new ResourceChange(ResourceAddress.parse("kubernetes.manifest.dependent"), Action.CREATE,
                "does not exist", null, value, List.of(), List.of(), Map.of(), null,
                List.of(ResourceAddress.parse("kubernetes.manifest.gate")));
        return new Plan("test", "s", "d", "l", 1, false, List.of(gate, dependent), List.of());
    }

    @Test
    void theTextSaysItWillBeWaitedForAndCountsItApart() {
        String text = new PlanText(Style.plain()).render(plan());
        assertTrue(text.contains("# kubernetes.manifest.gate will be waited for; nothing in it changes (" + REASON + ")"), text);
        assertTrue(text.contains("(the live object is as declared: apply writes it again unchanged and waits for it)"), text);
        assertFalse(text.contains("updated in-place"), text);
        assertTrue(text.contains("Plan: 1 to add, 0 to change, 0 to destroy, 1 to wait for."), text);
    }

    @Test
    void theJsonMarksTheEntryAndCountsItUnderWait() {
        JsonNode json = JsonMapper.builder().build().readTree(new PlanJson().write(plan(), false));
        JsonNode gate = json.path("resource_changes").get(0);
        assertTrue(gate.path("wait").asBoolean(), gate.toString());
        assertEquals("update", gate.path("actions").get(0).asString());
        assertFalse(json.path("resource_changes").get(1).has("wait"));
        assertEquals(0, json.path("summary").path("change").asInt());
        assertEquals(1, json.path("summary").path("wait").asInt());
    }

    @Test
    void aSavedPlanReadsBackAsAWait() {
        PlanJson json = new PlanJson();
        Plan read = json.read(json.write(plan(), true));
        assertTrue(read.changes().get(0).waitsOnly());
        assertEquals(new Plan.Summary(1, 0, 0, 0, 0, 1), read.summary());
    }

    @Test
    void theMarkdownSummarySaysItWillBeWaitedFor() {
        String md = new PlanMarkdown().render(plan());
        assertTrue(md.contains("**Plan: 1 to add, 0 to change, 0 to destroy, 1 to wait for.**"), md);
        assertTrue(md.contains("# kubernetes.manifest.gate will be waited for; nothing in it changes"), md);
        assertFalse(md.contains("updated in-place"), md);
    }

    /** Without the mark an update with no differing field stays an update: only the provider knows it only waits. */
    @Test
    void anUpdateWithoutTheMarkIsStillAnUpdate() {
        var value = JsonNodeFactory.instance.objectNode().put("x", "1");
        ResourceChange c = new ResourceChange(ResourceAddress.parse("test.thing.a"), Action.UPDATE, "repair", value, value,
                List.of(), List.of(), Map.of(), "1", List.of());
        assertFalse(c.waitsOnly());
        String text = new PlanText(Style.plain()).render(new Plan("test", "s", "d", "l", 1, false, List.of(c), List.of()));
        assertTrue(text.contains("will be updated in-place"), text);
    }
}

package io.meshform.engine.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.plan.Plan;
import io.meshform.engine.plan.PlanJson;
import io.meshform.engine.plan.ResourceChange;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.PlanDetail;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A folded line (the body of an addon object identical to Istio's sample) is left out of the text and Markdown
 * plans, where the line above it stands for it, and kept in the JSON plan with its place in {@code folded_details}, so
 * {@code show} of a saved plan prints what {@code plan} printed.
 */
class FoldedDetailsTest {
    private static Plan plan() {
        var after = JsonNodeFactory.instance.objectNode().put("version", "1.30.3");
        ResourceChange c = new ResourceChange(ResourceAddress.parse("istio.install.main"), Action.CREATE, "not installed",
                null, after, List.of(PlanDetail.add("ConfigMap istio-system/grafana [addon grafana]: identical to the sample"),
                        PlanDetail.folded("    data: {dashboard.json: huge}"), PlanDetail.note("    shown note")),
                List.of(), Map.of(), null, List.of());
        return new Plan("test", "s", "d", "l", 1, false, List.of(c), List.of());
    }

    @Test
    void textAndMarkdownLeaveFoldedLinesOut() {
        String text = new PlanText(Style.plain()).render(plan());
        assertTrue(text.contains("+ ConfigMap istio-system/grafana [addon grafana]: identical to the sample"), text);
        assertTrue(text.contains("shown note"), text);
        assertFalse(text.contains("huge"), text);
        String md = new PlanMarkdown().render(plan());
        assertTrue(md.contains("identical to the sample") && md.contains("shown note"), md);
        assertFalse(md.contains("huge"), md);
    }

    @Test
    void theJsonPlanKeepsThemAndASavedPlanShowsAsThePlanPrinted() {
        String json = new PlanJson().write(plan(), true);
        assertTrue(json.contains("    data: {dashboard.json: huge}"), json);
        Plan back = new PlanJson().read(json);
        List<PlanDetail> details = back.changes().get(0).details();
        assertEquals(PlanDetail.folded("    data: {dashboard.json: huge}"), details.get(1));
        assertFalse(details.get(1).differs());
        assertEquals(new PlanText(Style.plain()).render(plan()), new PlanText(Style.plain()).render(back));
        assertEquals(new PlanMarkdown().render(plan()), new PlanMarkdown().render(back));
    }

    /** A plan saved before `folded_details` existed still reads, its lines as they were written: notes. */
    @Test
    void aPlanSavedWithoutFoldedDetailsStillShows() {
        ObjectNode saved = (ObjectNode) new JsonMapper().readTree(new PlanJson().write(plan(), true));
        ObjectNode change = (ObjectNode) saved.path("resource_changes").get(0);
        assertTrue(change.has("folded_details"), change.toString());
        change.remove("folded_details");
        String json = saved.toString();
        Plan back = new PlanJson().read(json);
        assertEquals(PlanDetail.note("    data: {dashboard.json: huge}"), back.changes().get(0).details().get(1));
        assertTrue(new PlanText(Style.plain()).render(back).contains("huge"));
    }

    @Test
    void aFoldedRangeOutsideTheDetailsIsRefused() {
        ObjectNode saved = (ObjectNode) new JsonMapper().readTree(new PlanJson().write(plan(), true));
        ((ObjectNode) saved.path("resource_changes").get(0)).putArray("folded_details").addArray().add(1).add(9);
        String broken = saved.toString();
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new PlanJson().read(broken));
        assertTrue(e.getMessage().contains("resource_changes[0].folded_details"), e.getMessage());
    }

    @Test
    void foldedIsNeverADifference() {
        assertFalse(PlanDetail.folded("x").differs());
    }
}

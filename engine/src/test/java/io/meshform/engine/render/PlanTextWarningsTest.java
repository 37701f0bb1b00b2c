package io.meshform.engine.render;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.plan.Plan;
import io.meshform.engine.plan.ResourceChange;
import io.meshform.engine.spi.Action;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

/** A warning of several lines (an API server's apply conflict lists one field per line) stays inside its change. */
class PlanTextWarningsTest {
    @Test
    void aMultiLineWarningIsIndentedUnderItsFirstLine() {
        var before = JsonNodeFactory.instance.objectNode().put("x", "1");
        var after = JsonNodeFactory.instance.objectNode().put("x", "2");
        String conflict = "the server reports a conflict: Apply failed with 2 conflicts: conflicts with \"kubectl\":\n"
                + "- .data.a\n- .data.b\n";
        ResourceChange c = new ResourceChange(ResourceAddress.parse("kubernetes.manifest.cm"), Action.UPDATE, "spec differs",
                before, after, List.of(), List.of(conflict), Map.of(), "1", List.of());
        String text = new PlanText(Style.plain()).render(new Plan("test", "s", "d", "l", 1, false, List.of(c), List.of()));
        assertTrue(text.contains("      warning: the server reports a conflict: Apply failed with 2 conflicts: conflicts with"
                + " \"kubectl\":\n               - .data.a\n               - .data.b\n\n"), text);
    }

    /** A server's warning or note that carries ESC sequences or a carriage return reaches the terminal escaped (audit A, L4). */
    @Test
    void controlCharactersInWarningsAndDetailsAreEscaped() {
        var before = JsonNodeFactory.instance.objectNode().put("x", "1");
        var after = JsonNodeFactory.instance.objectNode().put("x", "2");
        ResourceChange c = new ResourceChange(ResourceAddress.parse("kubernetes.manifest.cm"), Action.UPDATE, "spec differs",
                before, after, List.of(new io.meshform.engine.spi.PlanDetail(io.meshform.engine.spi.PlanDetail.Kind.NOTE,
                        "server: \u001b]52;c;ZXZpbA==\u0007 ok")),
                List.of("data[\u001b[1Akey]: Invalid value\rHIDE\u009b2K"), Map.of(), "1", List.of());
        String text = new PlanText(Style.plain()).render(new Plan("test", "s", "d", "l", 1, false, List.of(c), List.of()));
        assertTrue(text.chars().noneMatch(ch -> ch < 0x20 && ch != '\n' && ch != '\t' || ch >= 0x7f && ch <= 0x9f), text);
        assertTrue(text.contains("warning: data[\\e[1Akey]: Invalid value\\rHIDE\\x9b2K"), text);
        assertTrue(text.contains("server: \\e]52;c;ZXZpbA==\\a ok"), text);
    }

    /**
     * A resource the plan leaves unchanged lists no change, so its warning was printed nowhere but in --json, under
     * "No changes" (and --strict failed on it): a kubernetes.labels on a namespace being deleted said nothing of it.
     */
    @Test
    void theWarningOfAnUnchangedResourceIsPrinted() {
        var labels = JsonNodeFactory.instance.objectNode().put("name", "a1-lbl");
        ResourceChange c = new ResourceChange(ResourceAddress.parse("kubernetes.labels.l"), Action.NOOP,
                "labels and annotations match", labels, labels, List.of(),
                List.of("Namespace a1-lbl is being deleted (Terminating); changes to it will be lost"), Map.of(), "1", List.of());
        Plan plan = new Plan("test", "s", "d", "l", 1, false, List.of(c), List.of());
        String text = new PlanText(Style.plain()).render(plan);
        assertTrue(text.startsWith("warning: kubernetes.labels.l: Namespace a1-lbl is being deleted (Terminating); changes to"
                + " it will be lost\n\nNo changes. The cluster matches the stack `s`. There is nothing to apply, so the"
                + " warning above stays"), text);
        String md = new PlanMarkdown().render(plan);
        assertTrue(md.contains("- kubernetes.labels.l: Namespace a1-lbl is being deleted (Terminating); changes to it will be"
                + " lost"), md);
        assertTrue(md.contains("the warning below stays"), md);
    }
}

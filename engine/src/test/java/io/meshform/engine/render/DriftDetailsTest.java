package io.meshform.engine.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.drift.DriftEntry;
import io.meshform.engine.drift.DriftKind;
import io.meshform.engine.drift.DriftReport;
import io.meshform.engine.model.ResourceAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

/** A resource that stands for many objects (an Istio install) names the ones that drifted in every format. */
class DriftDetailsTest {
    static final ResourceAddress MESH = ResourceAddress.parse("istio.install.mesh");

    DriftReport report() {
        var spec = JsonNodeFactory.instance.objectNode().put("version", "1.30");
        return new DriftReport("cortex", List.of(MESH), List.of(new DriftEntry(MESH, DriftKind.CHANGED,
                "changed outside meshform (1 rendered object(s) missing or different in the cluster)", spec, spec,
                List.of(io.meshform.engine.spi.PlanDetail.change("ConfigMap istio-system/istio (mesh.enableTracing)")), null)), List.of());
    }

    @Test
    void everyFormatListsTheObjects() {
        String line = "~ ConfigMap istio-system/istio (mesh.enableTracing)";
        DriftFormats f = new DriftFormats();
        assertTrue(f.render(report(), "text", Style.plain()).contains("      what apply would restore:\n      " + line), "text");
        assertTrue(f.render(report(), "json", Style.plain()).contains("\"details\" : [ \"" + line + "\" ]"), "json");
        assertTrue(f.render(report(), "markdown", Style.plain()).contains("</code>: what apply would restore</summary>\n\n```\n" + line), "markdown");
        assertTrue(f.render(report(), "junit", Style.plain()).contains(line), "junit");
    }

    @Test
    void oneResourceIsCountedInTheSingular() {
        DriftFormats f = new DriftFormats();
        DriftReport clean = new DriftReport("cortex", List.of(MESH), List.of(), List.of(), List.of());
        assertEquals("No drift. 1 resource matches what meshform applied.\n", f.render(clean, "text", Style.plain()));
        assertTrue(f.render(clean, "markdown", Style.plain()).contains("No drift: 1 resource matches what meshform applied.\n"));
        assertTrue(f.render(report(), "text", Style.plain()).contains("Drift: 1 finding in 1 resource checked."));
    }

    /** A drift's summary and detail lines reach the terminal with their control characters escaped (audit A, L4). */
    @Test
    void controlCharactersInTextAreEscaped() {
        var spec = JsonNodeFactory.instance.objectNode().put("version", "1.30");
        var r = new DriftReport("cortex", List.of(MESH), List.of(new DriftEntry(MESH, DriftKind.CHANGED,
                "changed outside meshform (\u001b[2K)", spec, spec,
                List.of(io.meshform.engine.spi.PlanDetail.note("server: \u001b]52;c;eA==\u0007")), null)), List.of());
        String text = new DriftFormats().render(r, "text", Style.plain());
        assertTrue(text.indexOf(0x1b) < 0 && text.indexOf(7) < 0, text);
        assertTrue(text.contains("changed outside meshform (\\e[2K)") && text.contains("server: \\e]52;c;eA==\\a"), text);
    }

    /**
     * The Markdown report (a CI log, an issue, a chat message) escapes them as the text does: a summary or a detail line
     * quoting the server, and a value with a right-to-left override in the diff.
     */
    @Test
    void controlAndInvisibleCharactersInMarkdownAreEscaped() {
        var applied = JsonNodeFactory.instance.objectNode().put("a", "plain");
        var live = JsonNodeFactory.instance.objectNode().put("a", "x\u202Eexe.gnp");
        var r = new DriftReport("cortex", List.of(MESH), List.of(new DriftEntry(MESH, DriftKind.CHANGED,
                "changed outside meshform (\u001b[2K\u2066)", applied, live,
                List.of(io.meshform.engine.spi.PlanDetail.change("server: \u001b]52;c;eA==\u0007")), null)), List.of());
        DriftFormats f = new DriftFormats();
        String markdown = f.render(r, "markdown", Style.plain());
        assertTrue(markdown.codePoints().noneMatch(c -> c == 0x1b || c == 7 || Character.getType(c) == Character.FORMAT), markdown);
        assertTrue(markdown.contains("| changed outside meshform (\\e[2K\\u2066) |"), markdown);
        assertTrue(markdown.contains("server: \\e]52;c;eA==\\a\n"), markdown);
        assertTrue(markdown.contains("+a: x\\u202eexe.gnp\n"), markdown);
        String failed = f.failure("cortex", "the API server says: \u001b[2J\u202Edeggol", "markdown");
        assertTrue(failed.contains("the API server says: \\e[2J\\u202edeggol"), failed);
    }
}

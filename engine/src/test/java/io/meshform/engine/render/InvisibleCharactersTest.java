package io.meshform.engine.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.plan.Plan;
import io.meshform.engine.plan.ResourceChange;
import io.meshform.engine.spi.Action;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * A value that holds a right-to-left override, an isolate or a zero-width character reaches the reviewer escaped, in
 * every form a plan, a drift report or {@code state show} prints: raw, {@code cm: x<RLO>exe.gnp} displays as
 * {@code cm: xpng.exe}, and two values that differ only by a zero-width space look the same ("Trojan Source").
 */
class InvisibleCharactersTest {
    /** A right-to-left override, a zero-width space, a left-to-right isolate, a line separator, a tag character. */
    private static final String HOSTILE = "x\u202Eexe.gnp\u200B\u2066y\u2028z\uDB40\uDC41";
    private static final String SHOWN = "x\\u202eexe.gnp\\u200b\\u2066y\\u2028z\\U000e0041";

    private static ResourceChange change(Action action) {
        var before = JsonNodeFactory.instance.objectNode().put("a", "plain");
        var after = JsonNodeFactory.instance.objectNode().put("a", HOSTILE);
        return new ResourceChange(ResourceAddress.parse("kubernetes.manifest.cm"), action, "data." + HOSTILE + " changed",
                action == Action.CREATE ? null : before, after, List.of(), List.of(), Map.of(), "1", List.of());
    }

    private static boolean invisible(int cp) {
        int type = Character.getType(cp);
        return type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
    }

    @Test
    void aCreatedValueIsShownEscaped() {
        String text = new PlanText(Style.plain()).render(new Plan("test", "s", "d", "l", 1, false,
                List.of(change(Action.CREATE)), List.of()));
        assertTrue(text.codePoints().noneMatch(InvisibleCharactersTest::invisible), text);
        assertTrue(text.contains("+ a: " + SHOWN + "\n"), text);
        assertTrue(text.contains("(data." + SHOWN + " changed)"), text);
    }

    @Test
    void anUpdatedValueIsShownEscapedInTheDiffAndTheMarkdownTable() {
        Plan plan = new Plan("test", "s", "d", "l", 1, false, List.of(change(Action.UPDATE)), List.of());
        String text = new PlanText(Style.plain()).render(plan);
        assertTrue(text.contains("+a: " + SHOWN + "\n"), text);
        String markdown = new PlanMarkdown().render(plan);
        assertTrue(markdown.codePoints().noneMatch(InvisibleCharactersTest::invisible), markdown);
        assertTrue(markdown.contains("| data." + SHOWN + " changed |"), markdown);
    }

    /** drift's "--- applied / +++ live" and {@code state show} write values through the same YAML. */
    @Test
    void yamlForPeopleEscapesThemAndKeepsOtherTextAsItIs() {
        assertEquals("a: " + SHOWN + "\n", new Yaml().write(JsonNodeFactory.instance.objectNode().put("a", HOSTILE)));
        assertEquals("a: café ünïcode ✓ שלום\n",
                new Yaml().write(JsonNodeFactory.instance.objectNode().put("a", "café ünïcode ✓ שלום")));
    }
}

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
}

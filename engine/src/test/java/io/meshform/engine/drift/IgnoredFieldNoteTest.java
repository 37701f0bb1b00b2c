package io.meshform.engine.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.apply.Applier;
import io.meshform.engine.apply.ApplyListener;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.Stack;
import io.meshform.engine.plan.PlanOptions;
import io.meshform.engine.plan.Planner;
import io.meshform.engine.render.DriftFormats;
import io.meshform.engine.render.Style;
import io.meshform.engine.testing.InMemoryCluster;
import io.meshform.engine.testing.MemoryStateStore;
import io.meshform.engine.testing.Stacks;
import io.meshform.state.StateSnapshot;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code --ignore ADDR:FIELD} with a FIELD in neither the recorded nor the live value (a typo such as {@code mtls.mod})
 * leaves out nothing: the report says so in a note naming the closest field, and the verdict is unchanged.
 */
class IgnoredFieldNoteTest {
    @TempDir
    Path dir;

    private final InMemoryCluster cluster = new InMemoryCluster();
    private Stack stack;
    private StateSnapshot state;
    private final ResourceAddress strict = ResourceAddress.parse("test.thing.strict");

    @BeforeEach
    void applyThenChangeTheModeBehindMeshform() {
        stack = Stacks.load(cluster.registry(), dir, """
                resources:
                  - {type: test.thing, name: strict, spec: {mtls: {mode: STRICT}}}
                """);
        MemoryStateStore store = new MemoryStateStore();
        StateSnapshot empty = StateSnapshot.empty("test");
        new Applier(cluster.registry(), 1, ApplyListener.NONE).apply(stack,
                new Planner(cluster.registry(), "test").plan(stack, empty, PlanOptions.defaults()), empty, store, new AtomicBoolean());
        state = store.read().orElseThrow();
        ((ObjectNode) cluster.get(strict).get("mtls")).put("mode", "PERMISSIVE");
    }

    private DriftReport drift(String... rules) {
        return new DriftDetector(cluster.registry()).detect(stack, state, List.of(rules).stream().map(IgnoreRule::parse).toList());
    }

    @Test
    void aMisspeltFieldIsNotedWithTheClosestNameAndStillFails() {
        DriftReport r = drift("test.thing.strict:mtls.mod");
        assertTrue(r.failed(), "the drift on mtls.mode is still reported");
        assertEquals(List.of("--ignore test.thing.strict:mtls.mod leaves out nothing: neither the recorded nor the live"
                + " value of test.thing.strict has a field mtls.mod (did you mean mtls.mode?)"),
                r.notes().stream().map(Diagnostic::summary).toList());
        String text = new DriftFormats().render(r, "text", Style.plain());
        assertTrue(text.contains("(did you mean mtls.mode?)"), text);
    }

    @Test
    void theRightFieldIsLeftOutWithoutANote() {
        DriftReport r = drift("test.thing.strict:mtls.mode");
        assertFalse(r.failed());
        assertEquals(List.of(), r.notes());
        assertEquals(List.of(), drift("test.thing.strict:mtls").notes(), "an object field counts as a field");
    }

    @Test
    void aFieldAbsentForNowIsANoteWithoutASuggestionAndNoError() {
        DriftReport r = drift("test.thing.strict:labels.team");
        assertTrue(r.failed());
        assertEquals(List.of("--ignore test.thing.strict:labels.team leaves out nothing: neither the recorded nor the live"
                + " value of test.thing.strict has a field labels.team"), r.notes().stream().map(Diagnostic::summary).toList());
    }
}

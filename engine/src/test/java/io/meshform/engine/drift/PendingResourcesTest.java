package io.meshform.engine.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.apply.Applier;
import io.meshform.engine.apply.ApplyListener;
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

/**
 * Declared resources that are not applied (the state of a stack after {@code destroy --exclude install}): every
 * format counts them in its verdict, and with {@code --fail-on-pending} they fail the check in every format.
 */
class PendingResourcesTest {
    @TempDir
    Path dir;

    private final InMemoryCluster cluster = new InMemoryCluster();
    private Stack stack;
    private StateSnapshot onlyInstall;

    private static final String THREE = """
            resources:
              - {type: test.thing, name: install, spec: {value: "1.30.3"}}
              - {type: test.thing, name: strict, spec: {mode: STRICT}}
              - {type: test.thing, name: ingress-auth, spec: {action: CUSTOM}}
            """;

    @BeforeEach
    void applyOnlyTheInstall() {
        Stack all = Stacks.load(cluster.registry(), dir, THREE);
        Stack install = Stacks.load(cluster.registry(), dir, """
                resources:
                  - {type: test.thing, name: install, spec: {value: "1.30.3"}}
                """);
        MemoryStateStore store = new MemoryStateStore();
        StateSnapshot empty = StateSnapshot.empty("test");
        new Applier(cluster.registry(), 1, ApplyListener.NONE).apply(install,
                new Planner(cluster.registry(), "test").plan(install, empty, PlanOptions.defaults()), empty, store, new AtomicBoolean());
        stack = all;
        onlyInstall = store.read().orElseThrow();
    }

    private DriftReport drift(List<IgnoreRule> ignored) {
        return new DriftDetector(cluster.registry()).detect(stack, onlyInstall, ignored);
    }

    private static String render(DriftReport r, String format) {
        return new DriftFormats().render(r, format, Style.plain());
    }

    @Test
    void withoutTheFlagTheVerdictCountsThemAndPasses() {
        DriftReport r = drift(List.of());
        assertFalse(r.failed());
        String text = render(r, "text");
        assertEquals("No drift in the 1 applied resource; 2 declared resources are not applied.",
                text.lines().findFirst().orElseThrow(), text);
        assertTrue(text.contains("Not yet applied (not drift): test.thing.strict, test.thing.ingress-auth"), text);
        String md = render(r, "markdown");
        assertTrue(md.contains("No drift in the 1 applied resource; 2 declared resources are not applied.\n"), md);
        assertTrue(md.contains("Not yet applied (not drift): `test.thing.strict`, `test.thing.ingress-auth`"), md);
        assertTrue(render(r, "junit").contains("failures=\"0\""), render(r, "junit"));
    }

    @Test
    void withTheFlagTheyFailEveryFormatAndNoneSaysNoDrift() {
        DriftReport r = drift(List.of()).withFailOnPending(true);
        assertTrue(r.failed());
        assertFalse(r.driftFound());
        String text = render(r, "text");
        assertTrue(text.startsWith("Declared in stack `test` but not applied (--fail-on-pending):\n\n"
                + "  ! test.thing.strict: declared in the stack, not applied (the state does not record it)\n"), text);
        assertTrue(text.contains("\n2 declared resources are not applied (--fail-on-pending); 1 resource matches what"
                + " meshform applied.\n"), text);
        for (String format : DriftFormats.NAMES) {
            assertFalse(render(r, format).toLowerCase().contains("no drift"), format + ":\n" + render(r, format));
        }
        String md = render(r, "markdown");
        assertTrue(md.contains("| `test.thing.ingress-auth` | declared in the stack, not applied"), md);
        assertTrue(render(r, "json").contains("\"failed\" : true"), render(r, "json"));
        String xml = render(r, "junit");
        assertTrue(xml.contains("failures=\"2\"") && xml.contains("skipped=\"0\"") && xml.contains("type=\"not_applied\""), xml);
    }

    @Test
    void withTheFlagDriftAndPendingAreBothCounted() {
        cluster.remove(ResourceAddress.parse("test.thing.install"));
        DriftReport r = drift(List.of()).withFailOnPending(true);
        String text = render(r, "text");
        assertTrue(text.contains("Drift: 1 finding in 1 resource checked; 2 declared resources are not applied"
                + " (--fail-on-pending).\n"), text);
        assertTrue(render(r, "junit").contains("failures=\"3\""), render(r, "junit"));
    }

    @Test
    void aResourceLeftOutWithIgnoreDoesNotFail() {
        DriftReport r = drift(List.of(IgnoreRule.parse("test.thing.strict"), IgnoreRule.parse("test.thing.ingress-auth")))
                .withFailOnPending(true);
        assertEquals(List.of(), r.notYetApplied());
        assertFalse(r.failed());
        assertEquals("No drift. 1 resource matches what meshform applied.\n", render(r, "text"));
    }
}

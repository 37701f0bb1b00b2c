package io.meshform.engine.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meshform.engine.apply.Applier;
import io.meshform.engine.apply.ApplyListener;
import io.meshform.engine.drift.DriftDetector;
import io.meshform.engine.drift.DriftReport;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.Stack;
import io.meshform.engine.plan.Plan;
import io.meshform.engine.plan.PlanJson;
import io.meshform.engine.plan.PlanOptions;
import io.meshform.engine.plan.Planner;
import io.meshform.engine.testing.InMemoryCluster;
import io.meshform.engine.testing.MemoryStateStore;
import io.meshform.engine.testing.Stacks;
import io.meshform.state.StateSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Plan text, plan JSON, plan Markdown and every drift format compared with files in src/test/resources/golden.
 * After an intended change of output, regenerate them with {@code mvn test -Dmeshform.accept=true} and review the
 * diff like any other change.
 */
class GoldenOutputTest {
    private static final Path GOLDEN = Path.of("src/test/resources/golden");

    @TempDir
    Path dir;

    private final InMemoryCluster cluster = new InMemoryCluster();
    private final MemoryStateStore store = new MemoryStateStore();
    private Plan plan;
    private DriftReport drift;

    private static final String BEFORE = """
            resources:
              - {type: test.thing, name: install, spec: {value: "1.30.3"}}
              - {type: test.thing, name: strict, dependsOn: [test.thing.install], spec: {mode: STRICT, namespace: istio-system}}
              - {type: test.thing, name: retired, spec: {value: old}}
              - {type: test.secret, name: oidc, spec: {user: cortex, password: hunter2}}
            """;
    private static final String AFTER = """
            resources:
              - {type: test.thing, name: install, spec: {value: "1.30.3"}}
              - {type: test.thing, name: strict, dependsOn: [test.thing.install], spec: {mode: PERMISSIVE, namespace: istio-system}}
              - {type: test.thing, name: added, dependsOn: [test.thing.install], spec: {value: new, labels: {a: "1", b: "2"}}}
              - {type: test.secret, name: oidc, spec: {user: cortex, password: hunter3}}
            """;

    @BeforeEach
    void planAChangeAndDrift() {
        Stack before = Stacks.load(cluster.registry(), dir, BEFORE);
        Planner planner = new Planner(cluster.registry(), "test");
        StateSnapshot empty = new StateSnapshot(1, 0, "00000000-0000-0000-0000-000000000000", "test", java.util.List.of());
        new Applier(cluster.registry(), 1, ApplyListener.NONE).apply(before, planner.plan(before, empty, PlanOptions.defaults()),
                empty, store, new AtomicBoolean());
        StateSnapshot state = store.read().orElseThrow();
        Stack after = Stacks.load(cluster.registry(), dir, AFTER);
        plan = planner.plan(after, state, PlanOptions.defaults());
        cluster.put(ResourceAddress.parse("test.thing.strict"),
                JsonNodeFactory.instance.objectNode().put("mode", "DISABLE").put("namespace", "istio-system"));
        cluster.remove(ResourceAddress.parse("test.thing.retired"));
        drift = new DriftDetector(cluster.registry()).detect(before, state, java.util.List.of());
    }

    private static void assertGolden(String name, String actual) throws IOException {
        Path file = GOLDEN.resolve(name);
        // The stack digest depends on the temporary directory's absolute path only through nothing; still, keep
        // golden files free of anything machine-specific.
        if (Boolean.getBoolean("meshform.accept")) {
            Files.writeString(file, actual);
        }
        assertEquals(Files.readString(file), actual, "differs from " + file + " (regenerate with -Dmeshform.accept=true)");
    }

    @Test
    void planText() throws IOException {
        assertGolden("plan.txt", new PlanText(Style.plain()).render(plan));
    }

    @Test
    void planTextInColour() throws IOException {
        assertGolden("plan.color.txt", new PlanText(new Style(true)).render(plan).replace("\u001b", "<ESC>"));
    }

    @Test
    void planJson() throws IOException {
        assertGolden("plan.json", new PlanJson().write(plan, false));
    }

    @Test
    void planMarkdown() throws IOException {
        assertGolden("plan.md", new PlanMarkdown().render(plan));
    }

    @Test
    void aSensitiveValueChangedOutsideIsDriftButNeverShown() {
        Stack before = Stacks.load(cluster.registry(), dir, BEFORE);
        cluster.put(ResourceAddress.parse("test.secret.oidc"),
                JsonNodeFactory.instance.objectNode().put("user", "cortex").put("password", "leaked-by-kubectl"));
        DriftReport report = new DriftDetector(cluster.registry()).detect(before, store.read().orElseThrow(), java.util.List.of());
        assertEquals(1, report.entries().stream().filter(e -> e.address() != null
                && e.address().toString().equals("test.secret.oidc")).count());
        for (String format : DriftFormats.NAMES) {
            String text = new DriftFormats().render(report, format, Style.plain());
            org.junit.jupiter.api.Assertions.assertFalse(text.contains("leaked") || text.contains("hunter2"), format + ":\n" + text);
        }
    }

    @Test
    void driftInEveryFormat() throws IOException {
        for (String format : DriftFormats.NAMES) {
            String ext = Set.of("json", "md").contains(format) ? format : format.equals("markdown") ? "md" : format.equals("junit") ? "xml" : "txt";
            assertGolden("drift." + ext, new DriftFormats().withTiming(java.time.Instant.parse("2026-01-02T03:04:05Z"),
                    java.time.Duration.ofMillis(1234)).render(drift, format, Style.plain()));
        }
    }
}

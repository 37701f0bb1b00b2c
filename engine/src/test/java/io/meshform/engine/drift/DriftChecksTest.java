package io.meshform.engine.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.apply.Applier;
import io.meshform.engine.apply.ApplyListener;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.Severity;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.Stack;
import io.meshform.engine.plan.PlanOptions;
import io.meshform.engine.plan.Planner;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.PlanCheck;
import io.meshform.engine.testing.InMemoryCluster;
import io.meshform.engine.testing.MemoryStateStore;
import io.meshform.engine.testing.Stacks;
import io.meshform.state.StateSnapshot;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.JsonNodeFactory;

/** Drift's checks run beside each other and beside its comparison, and say the same as one after the other. */
class DriftChecksTest {
    @TempDir
    Path dir;

    private final InMemoryCluster cluster = new InMemoryCluster();
    private final MemoryStateStore store = new MemoryStateStore();
    private Stack stack;
    private StateSnapshot state;

    private static final String TWO = """
            resources:
              - {type: test.thing, name: a, spec: {value: "a"}}
              - {type: test.thing, name: b, spec: {value: "b", risky: true}}
            """;

    @BeforeEach
    void applyAndChangeBehindMeshformsBack() {
        stack = Stacks.load(cluster.registry(), dir, TWO);
        StateSnapshot empty = StateSnapshot.empty("test");
        new Applier(cluster.registry(), 1, ApplyListener.NONE).apply(stack,
                new Planner(cluster.registry(), "test").plan(stack, empty, PlanOptions.defaults()), empty, store, new AtomicBoolean());
        state = store.read().orElseThrow();
        cluster.put(ResourceAddress.parse("test.thing.a"), JsonNodeFactory.instance.objectNode().put("value", "edited"));
    }

    private DriftReport drift() {
        return new DriftDetector(cluster.registry()).detect(stack, state, List.of());
    }

    @Test
    void theFirstCheckFinishingLastStillSpeaksFirst() {
        CountDownLatch laterDone = new CountDownLatch(1);
        boolean[] overlapped = new boolean[1];
        cluster.addCheck("slow", ctx -> {
            // Finishes only once the later checks have: one after the other, this would wait 10 s and fail below.
            overlapped[0] = InMemoryCluster.awaitOther(laterDone);
            return List.of(Diagnostic.warning("slow check", "first in order", null),
                    new Diagnostic(Severity.INFO, "slow note", "", null));
        });
        AtomicInteger runs = new AtomicInteger();
        cluster.addCheck("fast", ctx -> {
            runs.incrementAndGet();
            laterDone.countDown();
            return List.of(new Diagnostic(Severity.INFO, "fast note", "", null),
                    Diagnostic.warning("fast check", "second in order", null));
        });
        cluster.addCheck(InMemoryCluster.riskyCheck());
        DriftReport report = drift();
        assertTrue(overlapped[0], "the second check ran while the first was still running");
        assertEquals(1, runs.get(), "each check runs once");
        assertEquals(List.of("CHANGED changed outside meshform (spec differs from the live object)", "WEAKENED slow check",
                        "WEAKENED fast check", "WEAKENED test.thing.b is risky"),
                report.entries().stream().map(e -> e.kind() + " " + e.summary()).toList());
        assertEquals(List.of("slow note", "fast note"), report.notes().stream().map(Diagnostic::summary).toList());
    }

    @Test
    void theChecksSeeTheRecordedState() {
        CheckContext[] seen = new CheckContext[1];
        cluster.addCheck("records", ctx -> {
            seen[0] = ctx;
            return List.of();
        });
        drift();
        assertEquals(CheckContext.Purpose.DRIFT, seen[0].purpose());
        assertEquals(state.find(ResourceAddress.parse("test.thing.a")).orElseThrow().attributes(),
                seen[0].after().get(ResourceAddress.parse("test.thing.a")), "the applied value, not the edited live one");
        assertEquals(2, seen[0].after().size());
        assertTrue(seen[0].removed().isEmpty());
    }

    @Test
    void theFirstFailingCheckInOrderIsReportedWhateverFailedFirst() {
        CountDownLatch secondFailed = new CountDownLatch(1);
        cluster.addCheck("first", ctx -> {
            InMemoryCluster.awaitOther(secondFailed);
            throw new IllegalStateException("the first check failed");
        });
        cluster.addCheck("second", ctx -> {
            secondFailed.countDown();
            throw new IllegalStateException("the second check failed");
        });
        IllegalStateException e = assertThrows(IllegalStateException.class, this::drift);
        assertEquals("the first check failed", e.getMessage());
    }

    @Test
    void aCheckThatMayStartEarlyRunsBesideTheReads() {
        java.util.concurrent.CompletableFuture<Void> answered = new java.util.concurrent.CompletableFuture<>();
        CountDownLatch started = new CountDownLatch(1);
        cluster.addCheck(InMemoryCluster.riskyCheck());
        cluster.addCheck(InMemoryCluster.earlyCheck("early", answered, ctx -> {
            started.countDown();
            return List.of(Diagnostic.warning("early check", "", null));
        }));
        boolean[] duringReads = new boolean[1];
        cluster.beforeRead(() -> {
            answered.complete(null);
            duringReads[0] = InMemoryCluster.awaitOther(started);
        });
        DriftReport report = drift();
        assertTrue(duringReads[0], "the early check started while drift was still reading the cluster");
        assertEquals(List.of("CHANGED changed outside meshform (spec differs from the live object)", "WEAKENED test.thing.b is risky",
                        "WEAKENED early check"), report.entries().stream().map(e -> e.kind() + " " + e.summary()).toList());
    }

    @Test
    void aDriftWhoseReadsFailStartsNoCheckWhoseEventHasNotCome() {
        AtomicInteger runs = new AtomicInteger();
        cluster.addCheck(InMemoryCluster.earlyCheck("early", new java.util.concurrent.CompletableFuture<Void>(), ctx -> {
            runs.incrementAndGet();
            return List.of();
        }));
        cluster.beforeRead(() -> {
            throw new IllegalStateException("no answer from the cluster");
        });
        assertEquals("no answer from the cluster", assertThrows(IllegalStateException.class, this::drift).getMessage());
        assertEquals(0, runs.get(), "the check never started");
    }
    @Test
    void aFindingsKindIsWhatItsCheckSaysItMeans() {
        // Every check finding used to be "weakened": istiod without replicas, or analyze that did not run, too.
        cluster.addCheck(InMemoryCluster.riskyCheck());
        cluster.addCheck(new PlanCheck() {
            @Override
            public String name() {
                return "control-plane";
            }

            @Override
            public Concern concern(Diagnostic finding) {
                return finding.summary().startsWith("could not") ? Concern.UNCHECKED : Concern.DEGRADES;
            }

            @Override
            public List<Diagnostic> check(CheckContext context) {
                return List.of(Diagnostic.warning("istiod has no replica", "", null),
                        Diagnostic.warning("could not run the analyzers", "", null));
            }
        });
        DriftReport report = drift();
        assertEquals(List.of("CHANGED null changed outside meshform (spec differs from the live object)",
                        "WEAKENED risky test.thing.b is risky", "DEGRADED control-plane istiod has no replica",
                        "UNCHECKED control-plane could not run the analyzers"),
                report.entries().stream().map(e -> e.kind() + " " + e.check() + " " + e.summary()).toList());
        tools.jackson.databind.JsonNode json = tools.jackson.databind.json.JsonMapper.builder().build().readTree(
                new io.meshform.engine.render.DriftFormats().render(report, "json", io.meshform.engine.render.Style.plain()));
        assertEquals(List.of("changed", "weakened", "degraded", "unchecked"),
                json.get("drift").valueStream().map(e -> e.get("kind").asString()).toList());
        assertEquals(List.of("-", "risky", "control-plane", "control-plane"),
                json.get("drift").valueStream().map(e -> e.path("check").asString("-")).toList());
        String junit = new io.meshform.engine.render.DriftFormats().render(report, "junit", io.meshform.engine.render.Style.plain());
        assertTrue(junit.contains("type=\"degraded\"") && junit.contains("type=\"unchecked\""), junit);
    }
}

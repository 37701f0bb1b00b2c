package io.meshform.engine.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.Stack;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.PlanCheck;
import io.meshform.engine.testing.InMemoryCluster;
import io.meshform.engine.testing.Stacks;
import io.meshform.state.StateSnapshot;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.JsonNodeFactory;

/** The plan's checks run beside each other and beside the planning, and say the same as one after the other. */
class CheckRunTest {
    @TempDir
    Path dir;

    private final InMemoryCluster cluster = new InMemoryCluster();

    private static final String TWO = """
            resources:
              - {type: test.thing, name: a, spec: {value: "a"}}
              - {type: test.thing, name: b, spec: {value: "b", risky: true}}
            """;

    private Plan plan() {
        Stack s = Stacks.load(cluster.registry(), dir, TWO);
        return new Planner(cluster.registry(), "test").plan(s, StateSnapshot.empty("test"), PlanOptions.defaults());
    }

    @Test
    void theFirstCheckFinishingLastStillSpeaksFirst() {
        CountDownLatch secondDone = new CountDownLatch(1);
        boolean[] overlapped = new boolean[1];
        cluster.addCheck("slow", ctx -> {
            // Finishes only once the second check has: one after the other, this would wait 10 s and fail below.
            overlapped[0] = InMemoryCluster.awaitOther(secondDone);
            return List.of(Diagnostic.warning("slow check", "first in order", null));
        });
        AtomicInteger runs = new AtomicInteger();
        cluster.addCheck("fast", ctx -> {
            runs.incrementAndGet();
            secondDone.countDown();
            return List.of(Diagnostic.warning("fast check", "second in order", null));
        });
        cluster.addCheck(InMemoryCluster.riskyCheck());
        Plan p = plan();
        assertTrue(overlapped[0], "the second check ran while the first was still running");
        assertEquals(1, runs.get(), "started once, on the context the planned changes make");
        assertEquals(List.of("slow check", "fast check", "test.thing.b is risky"),
                p.diagnostics().stream().map(Diagnostic::summary).toList());
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
        IllegalStateException e = assertThrows(IllegalStateException.class, this::plan);
        assertEquals("the first check failed", e.getMessage());
    }

    @Test
    void aPlanThatFailsStopsItsChecksAndReportsOnlyItsOwnError() {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        java.util.concurrent.CompletableFuture<Void> answered = new java.util.concurrent.CompletableFuture<>();
        // Starts early, so that it is surely running when the plan fails: a check the plan cancels before a thread
        // has picked it up never runs at all, which is also right but would not show the interrupt.
        cluster.addCheck(InMemoryCluster.earlyCheck("waits", answered, ctx -> {
            started.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
            return List.of(Diagnostic.warning("never seen", "", null));
        }));
        boolean[] runningDuringReads = new boolean[1];
        cluster.beforeRead(() -> {
            answered.complete(null);
            runningDuringReads[0] = InMemoryCluster.awaitOther(started);
        });
        // An object that exists unmanaged: the plan refuses it, after the reads, while the check runs.
        cluster.put(ResourceAddress.parse("test.thing.a"), JsonNodeFactory.instance.objectNode().put("value", "a"));
        DiagnosticsException e = assertThrows(DiagnosticsException.class, this::plan);
        assertTrue(e.getMessage().contains("exists, not managed by meshform"), e.getMessage());
        assertTrue(runningDuringReads[0], "the check was running before the plan failed");
        assertTrue(InMemoryCluster.awaitOther(interrupted), "the running check was interrupted");
    }

    /**
     * The checks get the run context the resource types get, so what both read of the cluster is read once for the run
     * ({@code StackContext.memo}: the injector webhooks), and not the context of another run.
     */
    @Test
    void theChecksShareTheRunContextOfThePlansRequests() {
        List<Object> seen = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        cluster.addCheck("sees-run", ctx -> {
            seen.add(ctx.run());
            return List.of();
        });
        plan();
        assertEquals(2, cluster.planContexts().size());
        assertTrue(cluster.planContexts().stream().allMatch(c -> c == cluster.planContexts().get(0)), "one context per run");
        assertEquals(1, seen.size());
        assertTrue(seen.get(0) == cluster.planContexts().get(0), "the checks' run is the plans' context");
        plan();
        assertTrue(cluster.planContexts().get(2) != cluster.planContexts().get(0), "another plan is another run");
    }

    @Test
    void theExpectedContextIsTheOneThePlannedChangesMake() {
        Stack s = Stacks.load(cluster.registry(), dir, TWO);
        cluster.addCheck(InMemoryCluster.riskyCheck());
        List<ResourceAddress> order = List.of(ResourceAddress.parse("test.thing.a"), ResourceAddress.parse("test.thing.b"));
        CheckContext expected = CheckRun.expectedPlanContext(s, StateSnapshot.empty("test"), order, false, null);
        assertEquals(Map.of(order.get(0), s.find(order.get(0)).orElseThrow().spec(), order.get(1),
                s.find(order.get(1)).orElseThrow().spec()), expected.after());
        assertEquals(Map.of(), expected.removed());
        CheckContext destroying = CheckRun.expectedPlanContext(s, StateSnapshot.empty("test"), order, true, null);
        assertEquals(Map.of(), destroying.after());
        assertEquals(expected.after(), destroying.removed());
    }

    @Test
    void closingInterruptsWhatStillRuns() {
        CountDownLatch interrupted = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        PlanCheck waits = InMemoryCluster.check("waits", ctx -> {
            started.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
            return List.of();
        });
        CheckRun run = CheckRun.start(List.of(waits), new CheckContext(Stacks.load(cluster.registry(), dir, TWO), Map.of()));
        assertTrue(InMemoryCluster.awaitOther(started));
        run.close();
        assertTrue(InMemoryCluster.awaitOther(interrupted));
    }

    @Test
    void aCheckThatMayStartEarlyRunsBesideTheReadsAndStillSpeaksInItsPlace() {
        java.util.concurrent.CompletableFuture<Void> answered = new java.util.concurrent.CompletableFuture<>();
        CountDownLatch started = new CountDownLatch(1);
        cluster.addCheck(InMemoryCluster.riskyCheck());
        cluster.addCheck(InMemoryCluster.earlyCheck("early", answered, ctx -> {
            started.countDown();
            return List.of(Diagnostic.warning("early check", "second in order", null));
        }));
        boolean[] duringReads = new boolean[1];
        cluster.beforeRead(() -> {
            // The cluster has answered; the read goes on only once the early check has started (or 10 s have passed:
            // a check started after the reads fails below).
            answered.complete(null);
            duringReads[0] = InMemoryCluster.awaitOther(started);
        });
        Plan p = plan();
        assertTrue(duringReads[0], "the early check started while the plan was still reading the cluster");
        assertEquals(List.of("test.thing.b is risky", "early check"), p.diagnostics().stream().map(Diagnostic::summary).toList());
    }

    @Test
    void aCheckWhoseEventNeverComesStartsAfterTheReads() {
        AtomicInteger runs = new AtomicInteger();
        cluster.addCheck(InMemoryCluster.earlyCheck("early", new java.util.concurrent.CompletableFuture<Void>(), ctx -> {
            runs.incrementAndGet();
            return List.of(Diagnostic.warning("early check", "", null));
        }));
        Plan p = plan();
        assertEquals(1, runs.get());
        assertEquals(List.of("early check"), p.diagnostics().stream().map(Diagnostic::summary).toList());
    }

    @Test
    void aPlanWhoseReadsFailStartsNoCheckWhoseEventHasNotCome() throws InterruptedException {
        java.util.concurrent.CompletableFuture<Void> answered = new java.util.concurrent.CompletableFuture<>();
        AtomicInteger runs = new AtomicInteger();
        cluster.addCheck(InMemoryCluster.earlyCheck("early", answered, ctx -> {
            runs.incrementAndGet();
            return List.of();
        }));
        cluster.beforeRead(() -> {
            throw new IllegalStateException("no answer from the cluster");
        });
        IllegalStateException e = assertThrows(IllegalStateException.class, this::plan);
        assertEquals("no answer from the cluster", e.getMessage());
        answered.complete(null); // an answer after the run has failed starts nothing either
        Thread.sleep(100);
        assertEquals(0, runs.get(), "the check never started");
    }
}

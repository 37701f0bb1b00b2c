package io.meshform.engine.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.Stack;
import io.meshform.engine.plan.Plan;
import io.meshform.engine.plan.PlanOptions;
import io.meshform.engine.plan.Planner;
import io.meshform.engine.plan.ResourceChange;
import io.meshform.engine.testing.InMemoryCluster;
import io.meshform.engine.testing.MemoryStateStore;
import io.meshform.engine.testing.Stacks;
import io.meshform.state.StateSnapshot;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApplierTest {
    @TempDir
    Path dir;

    private final InMemoryCluster cluster = new InMemoryCluster();
    private final MemoryStateStore store = new MemoryStateStore();

    private static final String STACK = """
            resources:
              - {type: test.thing, name: install}
              - {type: test.thing, name: policy, dependsOn: [test.thing.install]}
              - {type: test.thing, name: labels, dependsOn: [test.thing.install]}
              - {type: test.thing, name: unrelated}
            """;

    private ApplyResult apply(Stack s, AtomicBoolean stop, int parallelism) {
        Plan p = new Planner(cluster.registry(), "t").plan(s, StateSnapshot.empty("t"), PlanOptions.defaults());
        return new Applier(cluster.registry(), parallelism, ApplyListener.NONE).apply(s, p, StateSnapshot.empty("t"), store, stop);
    }

    @Test
    void aFailureStopsItsDependantsAndIsReportedOnce() {
        cluster.failOn(ResourceAddress.parse("test.thing.install"));
        ApplyResult r = apply(Stacks.load(cluster.registry(), dir, STACK), new AtomicBoolean(), 1);
        assertFalse(r.succeeded());
        assertEquals(1, r.failed().size());
        assertEquals("test.thing.install", r.failed().keySet().iterator().next().address().toString());
        List<String> notStarted = r.notStarted().stream().map(c -> c.address().toString()).toList();
        assertTrue(notStarted.containsAll(List.of("test.thing.policy", "test.thing.labels")), notStarted.toString());
        assertFalse(cluster.history().contains("create test.thing.policy"));
    }

    @Test
    void failuresAreReportedInPlanOrderNotInTheOrderTheyHappened() {
        CountDownLatch bFailed = new CountDownLatch(1);
        cluster.beforeApply(a -> {
            if (a.name().equals("b")) {
                bFailed.countDown();
                throw new IllegalStateException("b refused first");
            }
            if (a.name().equals("a")) {
                InMemoryCluster.awaitOther(bFailed);
                try {
                    Thread.sleep(200); // b's failure reaches the applier first
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("a refused second");
            }
        });
        ApplyResult r = apply(Stacks.load(cluster.registry(), dir, """
                resources:
                  - {type: test.thing, name: a}
                  - {type: test.thing, name: b}
                """), new AtomicBoolean(), 2);
        assertEquals(List.of("test.thing.a", "test.thing.b"),
                r.failed().keySet().stream().map(c -> c.address().toString()).toList());
    }

    @Test
    void everyFinishedStepIsInStateBeforeTheNextStarts() {
        ApplyResult r = apply(Stacks.load(cluster.registry(), dir, STACK), new AtomicBoolean(), 1);
        assertTrue(r.succeeded());
        List<StateSnapshot> writes = store.writes();
        assertEquals(6, writes.size());
        // First the new state itself, with what the apply is creating: its lineage is durable before any object
        // carries it as a mark, and the next plan records what this apply made even if it dies before recording.
        assertEquals(0, writes.get(0).resources().size());
        assertEquals(4, writes.get(0).creating().size());
        // Last, the finished apply clears what it was creating (once, not per step).
        assertEquals(writes.get(4).resources(), writes.get(5).resources());
        assertTrue(writes.get(5).creating().isEmpty());
        for (int i = 1; i < writes.size() - 1; i++) {
            assertEquals(i, writes.get(i).resources().size(), "one more resource after each step");
            assertEquals(i + 1, writes.get(i).serial());
        }
        assertEquals("test.thing.install", store.read().orElseThrow().find("test.thing.policy").orElseThrow()
                .metadata().get(Planner.DEPENDS_ON_KEY));
    }

    @Test
    void aStopRequestStartsNothingNew() {
        AtomicBoolean stop = new AtomicBoolean(true);
        ApplyResult r = apply(Stacks.load(cluster.registry(), dir, STACK), stop, 2);
        assertTrue(r.interrupted());
        assertEquals(4, r.notStarted().size());
        assertTrue(cluster.history().isEmpty());
    }

    /**
     * policy, labels and unrelated do not depend on each other: each of their steps waits, inside the provider, until
     * all three have started. A serial applier runs one at a time, so the first never sees the other two and the
     * latch times out; only steps that really run together pass.
     */
    @Test
    void runsIndependentStepsInParallelAndAllSucceed() {
        StringBuilder order = new StringBuilder();
        CountDownLatch together = new CountDownLatch(3);
        List<String> independent = List.of("policy", "labels", "unrelated");
        cluster.beforeApply(a -> {
            if (independent.contains(a.name())) {
                together.countDown();
                try {
                    if (!together.await(10, TimeUnit.SECONDS)) {
                        throw new IllegalStateException(a + " ran alone: the independent steps did not run in parallel");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        });
        Stack s = Stacks.load(cluster.registry(), dir, STACK);
        Plan p = new Planner(cluster.registry(), "t").plan(s, StateSnapshot.empty("t"), PlanOptions.defaults());
        ApplyResult r = new Applier(cluster.registry(), 4, new ApplyListener() {
            @Override
            public synchronized void finished(ResourceChange change, java.time.Duration took) {
                order.append(change.address().name()).append(' ');
            }
        }).apply(s, p, StateSnapshot.empty("t"), store, new AtomicBoolean());
        assertTrue(r.succeeded(), () -> r.failed().values().toString());
        assertEquals(0, together.getCount(), "all three independent steps were in flight at once");
        String o = order.toString();
        assertTrue(o.indexOf("install") < o.indexOf("policy") && o.indexOf("install") < o.indexOf("labels"), o);
    }

    /** The same stack with parallelism 1 never has two steps in flight: the latch above is what proves parallelism. */
    @Test
    void withParallelismOneTheIndependentStepsRunOneAtATime() {
        java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
        cluster.beforeApply(a -> {
            most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inFlight.decrementAndGet();
        });
        assertTrue(apply(Stacks.load(cluster.registry(), dir, STACK), new AtomicBoolean(), 1).succeeded());
        assertEquals(1, most.get());
    }

    /** A lock that is lost once {@code lostAfter} state writes have happened; the store refuses writes after that. */
    private final class LosingLock implements io.meshform.state.LockHandle {
        private final int lostAfter;

        LosingLock(int lostAfter) {
            this.lostAfter = lostAfter;
        }

        @Override
        public String id() {
            return "lock";
        }

        @Override
        public void ensureHeld() {
            if (store.writes().size() >= lostAfter) {
                throw new io.meshform.state.LockLostException("lost to test");
            }
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aLostLockStartsNoFurtherStepAndLeavesTheStateAsTheOtherHolderLeftIt() {
        Stack s = Stacks.load(cluster.registry(), dir, """
                resources:
                  - {type: test.thing, name: a}
                  - {type: test.thing, name: b, dependsOn: [test.thing.a]}
                  - {type: test.thing, name: c, dependsOn: [test.thing.b]}
                  - {type: test.thing, name: d, dependsOn: [test.thing.c]}
                """);
        Plan p = new Planner(cluster.registry(), "t").plan(s, StateSnapshot.empty("t"), PlanOptions.defaults());
        ApplyResult r = new Applier(cluster.registry(), 1, ApplyListener.NONE)
                // three writes: the new state's first record (its lineage, before any object is made), a, b
                .apply(s, p, StateSnapshot.empty("t"), store, new LosingLock(3), new AtomicBoolean());
        assertFalse(r.succeeded());
        assertTrue(r.lockLost() != null && r.lockLost().getMessage().contains("lost to test"));
        assertEquals(List.of("test.thing.a", "test.thing.b"), r.done().stream().map(c -> c.address().toString()).toList());
        assertEquals(List.of("create test.thing.a", "create test.thing.b"), cluster.history(),
                "nothing reaches the cluster after the lock is lost");
        assertEquals(List.of("test.thing.c", "test.thing.d"), r.notStarted().stream().map(c -> c.address().toString()).toList());
        assertTrue(r.failed().isEmpty(), r.failed().toString());
    }

    @Test
    void aStepWhoseStateWriteIsFencedFailsWithTheLostLock() {
        Stack s = Stacks.load(cluster.registry(), dir, """
                resources:
                  - {type: test.thing, name: a}
                  - {type: test.thing, name: b, dependsOn: [test.thing.a]}
                """);
        Plan p = new Planner(cluster.registry(), "t").plan(s, StateSnapshot.empty("t"), PlanOptions.defaults());
        LosingLock lock = new LosingLock(2);
        io.meshform.state.StateStore fenced = new io.meshform.state.StateStore() {
            @Override
            public java.util.Optional<StateSnapshot> read() {
                return store.read();
            }

            @Override
            public StateSnapshot write(StateSnapshot snapshot) {
                lock.ensureHeld(); // as the real backends do
                return store.write(snapshot);
            }

            @Override
            public String describe() {
                return "fenced memory";
            }
        };
        // lost after a's write (the second: the first records the new state's lineage before any object is made):
        // b's step is refused before it starts, a is recorded
        ApplyResult r = new Applier(cluster.registry(), 1, ApplyListener.NONE)
                .apply(s, p, StateSnapshot.empty("t"), fenced, lock, new AtomicBoolean());
        assertTrue(r.lockLost() != null);
        assertEquals(2, store.writes().size());
        assertEquals(List.of("create test.thing.a"), cluster.history());
    }

    /**
     * The state as a later run reads it back (JSON: 8080 an int node, 0.5 a double node) against the stack's YAML
     * (a big-integer and a decimal node): equal values, so apply runs the one step its plan shows and no hidden
     * "Recording" of the unchanged resource.
     */
    @Test
    void anUnchangedResourceWithNumbersIsNotRecordedAgainBehindThePlan() {
        String yaml = """
                resources:
                  - {type: test.thing, name: install, spec: {port: 8080, big: 12345678901, ratio: 0.5}}
                  - {type: test.thing, name: policy, spec: {value: "STRICT"}}
                """;
        Stack first = Stacks.load(cluster.registry(), dir, yaml);
        assertTrue(apply(first, new AtomicBoolean(), 1).succeeded());
        io.meshform.state.StateCodec codec = new io.meshform.state.StateCodec();
        StateSnapshot readBack = codec.decode(codec.encode(store.read().orElseThrow()), "test");
        Stack changed = Stacks.load(cluster.registry(), dir, yaml.replace("STRICT", "PERMISSIVE"));
        Plan p = new Planner(cluster.registry(), "t").plan(changed, readBack, PlanOptions.defaults());
        assertEquals("Plan: 0 to add, 1 to change, 0 to destroy.", p.summary().toString());
        List<String> started = new java.util.concurrent.CopyOnWriteArrayList<>();
        ApplyResult r = new Applier(cluster.registry(), 1, new ApplyListener() {
            @Override
            public void started(ResourceChange change) {
                started.add(change.address().toString());
            }
        }).apply(changed, p, readBack, store, new AtomicBoolean());
        assertTrue(r.succeeded());
        assertEquals(List.of("test.thing.policy"), started, "only the step the plan shows");
    }

    @Test
    void aStateThatCannotBeWrittenWholeAtTheEndIsReportedWithTheStepsNotInsteadOfThem() {
        Stack s = Stacks.load(cluster.registry(), dir, """
                resources:
                  - {type: test.thing, name: a}
                  - {type: test.thing, name: b}
                """);
        cluster.failOn(ResourceAddress.parse("test.thing.b"));
        Plan p = new Planner(cluster.registry(), "t").plan(s, StateSnapshot.empty("t"), PlanOptions.defaults());
        io.meshform.state.StateStore fullDisk = new io.meshform.state.StateStore() {
            @Override
            public java.util.Optional<StateSnapshot> read() {
                return store.read();
            }

            @Override
            public StateSnapshot write(StateSnapshot snapshot) {
                return store.write(snapshot);
            }

            @Override
            public java.util.Optional<StateSnapshot> compact() {
                throw new io.meshform.state.StateException("could not write state file: no space left on device");
            }

            @Override
            public String describe() {
                return "full disk";
            }
        };
        ApplyResult r = new Applier(cluster.registry(), 1, ApplyListener.NONE)
                .apply(s, p, StateSnapshot.empty("t"), fullDisk, new AtomicBoolean());
        assertFalse(r.succeeded());
        assertTrue(r.stateNotWritten() != null && r.stateNotWritten().getMessage().contains("no space left"));
        assertEquals(List.of("test.thing.a"), r.done().stream().map(c -> c.address().toString()).toList());
        assertEquals(List.of("test.thing.b"), r.failed().keySet().stream().map(c -> c.address().toString()).toList(),
                "the step's own failure is still reported");
    }
    /**
     * A state that takes its first write (the Secret is created) but refuses the next ones (RBAC without update): the
     * object a step made is in the cluster and is reported as made and not recorded, not as a failed step.
     */
    @Test
    void aStepWhoseRecordTheStateRefusesIsReportedAsAppliedNotRecorded() {
        Stack s = Stacks.load(cluster.registry(), dir, """
                resources:
                  - {type: test.thing, name: a}
                  - {type: test.thing, name: b, dependsOn: [test.thing.a]}
                """);
        Plan p = new Planner(cluster.registry(), "t").plan(s, StateSnapshot.empty("t"), PlanOptions.defaults());
        java.util.concurrent.atomic.AtomicInteger writes = new java.util.concurrent.atomic.AtomicInteger();
        io.meshform.state.StateStore createOnly = new io.meshform.state.StateStore() {
            @Override
            public java.util.Optional<StateSnapshot> read() {
                return store.read();
            }

            @Override
            public StateSnapshot write(StateSnapshot snapshot) {
                if (writes.getAndIncrement() > 0) {
                    throw new io.meshform.state.StateException("cannot update Secret meshform-state-x: forbidden");
                }
                return store.write(snapshot);
            }

            @Override
            public String describe() {
                return "create-only";
            }
        };
        ApplyResult r = new Applier(cluster.registry(), 1, ApplyListener.NONE)
                .apply(s, p, StateSnapshot.empty("t"), createOnly, new AtomicBoolean());
        assertFalse(r.succeeded());
        assertTrue(cluster.history().contains("create test.thing.a"), cluster.history().toString());
        RuntimeException e = r.failed().entrySet().iterator().next().getValue();
        assertTrue(e instanceof NotRecordedException n && n.done().equals("created")
                && e.getMessage().contains("forbidden"), String.valueOf(e));
        assertEquals(List.of("test.thing.b"), r.notStarted().stream().map(c -> c.address().toString()).toList());
    }

    /** The first write of a new state fails before any step: the error says that the cluster was not touched. */
    @Test
    void aFirstStateWriteThatFailsSaysTheClusterWasNotChanged() {
        Stack s = Stacks.load(cluster.registry(), dir, STACK);
        Plan p = new Planner(cluster.registry(), "t").plan(s, StateSnapshot.empty("t"), PlanOptions.defaults());
        io.meshform.state.StateStore fullDisk = new io.meshform.state.StateStore() {
            @Override
            public java.util.Optional<StateSnapshot> read() {
                return java.util.Optional.empty();
            }

            @Override
            public StateSnapshot write(StateSnapshot snapshot) {
                throw new io.meshform.state.StateException("could not write state file /s.json: no space left on device");
            }

            @Override
            public String describe() {
                return "full disk";
            }
        };
        io.meshform.state.StateException e = org.junit.jupiter.api.Assertions.assertThrows(
                io.meshform.state.StateException.class, () -> new Applier(cluster.registry(), 1, ApplyListener.NONE)
                        .apply(s, p, StateSnapshot.empty("t"), fullDisk, new AtomicBoolean()));
        assertEquals("could not write state file /s.json: no space left on device\n"
                + "Nothing was applied: the cluster was not changed.", e.getMessage());
        assertEquals(List.of(), cluster.history());
    }
}

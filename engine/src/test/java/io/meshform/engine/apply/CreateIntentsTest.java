package io.meshform.engine.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.Stack;
import io.meshform.engine.plan.Plan;
import io.meshform.engine.plan.PlanOptions;
import io.meshform.engine.plan.Planner;
import io.meshform.engine.testing.InMemoryCluster;
import io.meshform.engine.testing.MemoryStateStore;
import io.meshform.engine.testing.Stacks;
import io.meshform.state.LocalStateBackend;
import io.meshform.state.StateException;
import io.meshform.state.StateSnapshot;
import io.meshform.state.StateStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an apply writes before its creates ({@link StateSnapshot#creating}): written once and before the first create,
 * kept by a crash, so that the next plan records what the crashed apply made, and cleared by the apply that finishes.
 */
class CreateIntentsTest {
    @TempDir
    Path dir;

    private final InMemoryCluster cluster = new InMemoryCluster();
    private final Planner planner = new Planner(cluster.registry(), "t");

    private static final String STACK = """
            resources:
              - {type: test.thing, name: install}
              - {type: test.thing, name: policy, dependsOn: [test.thing.install]}
              - {type: test.thing, name: labels, dependsOn: [test.thing.install]}
              - {type: test.thing, name: unrelated}
            """;

    private static final Set<String> ALL = Set.of("test.thing.install", "test.thing.policy", "test.thing.labels",
            "test.thing.unrelated");

    private ApplyResult apply(Stack s, StateStore store) {
        StateSnapshot prior = store.read().orElse(StateSnapshot.empty("t"));
        Plan p = planner.plan(s, prior, PlanOptions.defaults());
        return new Applier(cluster.registry(), 1, ApplyListener.NONE).apply(s, p, prior, store, new AtomicBoolean());
    }

    @Test
    void everyAddressIsWrittenOnceBeforeTheFirstCreateAndAFinishedApplyClearsThem() {
        MemoryStateStore store = new MemoryStateStore();
        Stack s = Stacks.load(cluster.registry(), dir, STACK);
        StateSnapshot first = store.write(StateSnapshot.empty("t"));
        List<Set<String>> seenAtCreates = new ArrayList<>();
        cluster.beforeApply(a -> seenAtCreates.add(store.read().orElseThrow().creating()));
        ApplyResult r = apply(s, store);
        assertTrue(r.succeeded(), r.toString());
        assertEquals(List.of(ALL, ALL, ALL, ALL), seenAtCreates, "durable before the first create, all at once");
        assertEquals(first.serial() + 1, store.writes().get(1).serial());
        assertEquals(ALL, store.writes().get(1).creating(), "one write for the four creates, not one each");
        assertEquals(Set.of(), store.read().orElseThrow().creating(), "the finished apply cleared them");
        assertEquals(4, store.read().orElseThrow().resources().size());
    }

    /**
     * A failed create may have made its object (a create that went through, then failed its wait): it stays listed.
     * A step that never started made nothing: this apply's note for it goes.
     */
    @Test
    void aFailedCreateStaysListedAndAStepThatNeverStartedDoesNot() {
        MemoryStateStore store = new MemoryStateStore();
        Stack s = Stacks.load(cluster.registry(), dir, STACK);
        cluster.failOn(ResourceAddress.parse("test.thing.policy"));
        ApplyResult r = apply(s, store);
        assertFalse(r.succeeded());
        StateSnapshot after = store.read().orElseThrow();
        assertEquals(Set.of("test.thing.policy"), after.creating(), r.notStarted().toString());
    }

    /**
     * An address listed and recorded since (by an import, with no apply after it) is done: the next apply drops it,
     * else it would outlive a later delete of the object and vouch for whatever appears under the address next.
     */
    @Test
    void aListedAddressRecordedSinceIsDroppedByTheNextApply() {
        MemoryStateStore store = new MemoryStateStore();
        Stack s = Stacks.load(cluster.registry(), dir, STACK);
        apply(s, store);
        store.write(store.read().orElseThrow().withCreating(List.of("test.thing.unrelated")));
        Stack without = Stacks.load(cluster.registry(), dir, STACK.replace("  - {type: test.thing, name: unrelated}\n", ""));
        assertTrue(apply(without, store).succeeded());
        StateSnapshot after = store.read().orElseThrow();
        assertTrue(after.find("test.thing.unrelated").isEmpty(), "deleted");
        assertEquals(Set.of(), after.creating());
    }

    /**
     * The crash the takeover exists for, killed for real between a create and its record: the state on disk (file and
     * journal) says what the apply was creating, the object carries the mark, and the next plan records it.
     */
    @Test
    void anApplyKilledAfterACreateAndBeforeItsRecordIsRecordedByTheNextPlan() {
        Path file = dir.resolve("state.json");
        Stack s = Stacks.load(cluster.registry(), dir, STACK);
        DyingStore dying = new DyingStore(new LocalStateBackend(file, true), "test.thing.policy");
        apply(s, dying);
        assertTrue(cluster.history().contains("create test.thing.policy"), cluster.history().toString());

        LocalStateBackend next = new LocalStateBackend(file, true);
        StateSnapshot read = next.read().orElseThrow();
        assertTrue(read.find("test.thing.policy").isEmpty(), "the kill came before its record");
        assertTrue(read.creating("test.thing.policy"), read.creating().toString());
        Plan p = planner.plan(s, read, PlanOptions.defaults());
        assertTrue(p.changes().stream().anyMatch(c -> c.address().toString().equals("test.thing.policy") && c.records()
                && c.reason().contains("did not record it")), p.changes().toString());
        ApplyResult again = new Applier(cluster.registry(), 1, ApplyListener.NONE).apply(s, p, read, next, new AtomicBoolean());
        assertTrue(again.succeeded(), again.toString());
        StateSnapshot done = new LocalStateBackend(file, true).read().orElseThrow();
        assertEquals(ALL, Set.copyOf(done.resources().stream().map(x -> x.address()).toList()));
        assertEquals(Set.of(), done.creating());
        assertEquals(1, cluster.history().stream().filter("create test.thing.policy"::equals).count(), "not made twice");
    }

    /** A store whose process dies as it is asked to record {@code address}: nothing of it or after it is written. */
    private static final class DyingStore implements StateStore {
        private final StateStore store;
        private final String address;
        private boolean dead;

        DyingStore(StateStore store, String address) {
            this.store = store;
            this.address = address;
        }

        @Override
        public synchronized Optional<StateSnapshot> read() {
            return store.read();
        }

        @Override
        public synchronized StateSnapshot write(StateSnapshot s) {
            dieAt(s);
            return store.write(s);
        }

        @Override
        public synchronized StateSnapshot record(StateSnapshot s) {
            dieAt(s);
            return store.record(s);
        }

        @Override
        public synchronized Optional<StateSnapshot> compact() {
            dieAt(null);
            return store.compact();
        }

        private void dieAt(StateSnapshot s) {
            dead |= s != null && s.find(address).isPresent();
            if (dead) {
                throw new StateException("killed");
            }
        }

        @Override
        public String describe() {
            return "dying " + store.describe();
        }
    }
}

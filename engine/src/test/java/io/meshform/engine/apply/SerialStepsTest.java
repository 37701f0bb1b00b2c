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
import io.meshform.engine.plan.SerialSteps;
import io.meshform.engine.render.PlanText;
import io.meshform.engine.render.Style;
import io.meshform.engine.testing.InMemoryCluster;
import io.meshform.engine.testing.MemoryStateStore;
import io.meshform.engine.testing.Stacks;
import io.meshform.state.StateSnapshot;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Steps of a type that runs one at a time ({@link io.meshform.engine.spi.ResourceType#oneAtATime}, as istio.install's)
 * never overlap, whatever they do: a canary's install updated and the old install destroyed in one apply ran
 * {@code istioctl install} and {@code istioctl uninstall} at once, since the graph orders only creates after creates
 * and deletes after deletes. The new goes in first, and the plan says so.
 */
class SerialStepsTest {
    @TempDir
    Path dir;

    private final InMemoryCluster cluster = new InMemoryCluster();
    private final MemoryStateStore store = new MemoryStateStore();

    private static final String BOTH = """
            resources:
              - {type: test.serial, name: old, spec: {value: "1"}}
              - {type: test.serial, name: canary, spec: {value: "1"}}
              - {type: test.thing, name: unrelated, spec: {value: "1"}}
            """;
    /** The canary changed, the old one gone, the unrelated one changed. */
    private static final String CANARY_ONLY = """
            resources:
              - {type: test.serial, name: canary, spec: {value: "2"}}
              - {type: test.thing, name: unrelated, spec: {value: "2"}}
            """;

    private Plan plan(Stack s) {
        return new Planner(cluster.registry(), "t").plan(s, store.read().orElse(StateSnapshot.empty("t")), PlanOptions.defaults());
    }

    private ApplyResult apply(Stack s, Plan p, ApplyListener listener) {
        return new Applier(cluster.registry(), 10, listener).apply(s, p, store.read().orElse(StateSnapshot.empty("t")), store,
                new AtomicBoolean());
    }

    /** Counts the steps of test.serial in flight; any moment with two is an overlap. */
    private final class Overlaps implements ApplyListener {
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger most = new AtomicInteger();
        final List<String> started = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void started(ResourceChange c) {
            started.add(c.address().toString());
            if (c.type().equals(InMemoryCluster.SERIAL)) {
                most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                pause();
            }
        }

        @Override
        public void finished(ResourceChange c, java.time.Duration took) {
            if (c.type().equals(InMemoryCluster.SERIAL)) {
                inFlight.decrementAndGet();
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(150);  // long enough for a step started beside it to be seen in flight
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void theNewOneIsAppliedBeforeTheOldOneIsDeletedAndNeverBesideIt() {
        Stack both = Stacks.load(cluster.registry(), dir, BOTH);
        Overlaps creating = new Overlaps();
        assertTrue(apply(both, plan(both), creating).succeeded());
        assertEquals(1, creating.most.get(), "two creates of test.serial overlapped");

        Stack canaryOnly = Stacks.load(cluster.registry(), dir, CANARY_ONLY);
        Plan p = plan(canaryOnly);
        assertEquals("Plan: 0 to add, 2 to change, 1 to destroy.", p.summary().toString());
        Overlaps swapping = new Overlaps();
        ApplyResult r = apply(canaryOnly, p, swapping);
        assertTrue(r.succeeded(), () -> r.failed().values().toString());
        assertEquals(1, swapping.most.get(), "the update and the delete overlapped: " + cluster.history());
        List<String> h = cluster.history();
        assertTrue(h.indexOf("update test.serial.canary") < h.indexOf("delete test.serial.old"), h.toString());
    }

    @Test
    void aFailedNewOneLeavesTheOldOneInPlace() {
        Stack both = Stacks.load(cluster.registry(), dir, BOTH);
        assertTrue(apply(both, plan(both), ApplyListener.NONE).succeeded());
        cluster.failOn(ResourceAddress.parse("test.serial.canary"));
        Stack canaryOnly = Stacks.load(cluster.registry(), dir, CANARY_ONLY);
        ApplyResult r = apply(canaryOnly, plan(canaryOnly), ApplyListener.NONE);
        assertFalse(r.succeeded());
        assertFalse(cluster.history().contains("delete test.serial.old"), cluster.history().toString());
        assertTrue(r.notStarted().stream().anyMatch(c -> c.address().toString().equals("test.serial.old")), r.notStarted().toString());
    }

    @Test
    void eachStepWaitsForTheOneBeforeItOfItsTypeInPlanOrderAndThePlanSaysSo() {
        Stack both = Stacks.load(cluster.registry(), dir, BOTH);
        assertTrue(apply(both, plan(both), ApplyListener.NONE).succeeded());
        Plan p = plan(Stacks.load(cluster.registry(), dir, CANARY_ONLY));
        Map<String, ResourceChange> byAddress = new java.util.HashMap<>();
        p.changes().forEach(c -> byAddress.put(c.address().toString(), c));
        assertEquals(Optional.empty(), SerialSteps.waitsFor(byAddress.get("test.serial.canary")));
        assertEquals(Optional.of(ResourceAddress.parse("test.serial.canary")), SerialSteps.waitsFor(byAddress.get("test.serial.old")));
        assertEquals(Optional.empty(), SerialSteps.waitsFor(byAddress.get("test.thing.unrelated")), "other types are not held");
        String text = new PlanText(Style.plain()).render(p);
        assertTrue(text.contains("  - test.serial.old\n      starts after test.serial.canary has finished: "
                + InMemoryCluster.SERIAL_WHY + "\n"), text);
    }

    @Test
    void onlyStepsThatActTakePartAndTheOthersAreLeftAsTheyAre() {
        ResourceChange a = change("test.serial.a", io.meshform.engine.spi.Action.UPDATE);
        ResourceChange unchanged = change("test.serial.b", io.meshform.engine.spi.Action.NOOP);
        ResourceChange other = change("test.thing.c", io.meshform.engine.spi.Action.CREATE);
        ResourceChange d = change("test.serial.d", io.meshform.engine.spi.Action.DELETE);
        ResourceChange e = change("test.serial.e", io.meshform.engine.spi.Action.DELETE);
        List<ResourceChange> out = SerialSteps.chain(List.of(a, unchanged, other, d, e),
                type -> type.equals(InMemoryCluster.SERIAL) ? Optional.of("why") : Optional.empty());
        assertEquals(List.of(a, unchanged, other), out.subList(0, 3));
        assertEquals(Optional.of(a.address()), SerialSteps.waitsFor(out.get(3)));
        assertEquals(Optional.of(d.address()), SerialSteps.waitsFor(out.get(4)));
        assertEquals("why", out.get(4).privateData().get(SerialSteps.WHY));
    }

    private static ResourceChange change(String address, io.meshform.engine.spi.Action action) {
        return new ResourceChange(ResourceAddress.parse(address), action, "r", null, null, List.of(), List.of(), Map.of(), null, List.of());
    }
}

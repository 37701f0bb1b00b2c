package io.meshform.engine.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.plan.ResourceChange;
import io.meshform.engine.spi.Action;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReadyStepsTest {

    private static ResourceChange step(String name) {
        return new ResourceChange(new ResourceAddress("kubernetes.manifest", name), Action.CREATE, "r", null, null,
                List.of(), List.of(), Map.of(), null, List.of());
    }

    /** Takes every ready step in order, finishing each before taking the next: the order an apply of 1 starts them. */
    private static List<String> drain(ReadySteps ready) {
        List<String> order = new ArrayList<>();
        while (ready.any()) {
            ResourceChange c = ready.first();
            ready.take(c);
            order.add(c.address().name());
            ready.done(c);
        }
        return order;
    }

    @Test
    void theLongestChainStartsFirstThenPlanOrderOnceEveryDependencyIsDone() {
        // plan order a, b, c, d, e; b waits for d and e, c waits for a, d waits for nothing, e waits for a
        List<ResourceChange> steps = List.of(step("a"), step("b"), step("c"), step("d"), step("e"));
        Map<ResourceAddress, Set<ResourceAddress>> waits = new LinkedHashMap<>();
        waits.put(steps.get(0).address(), Set.of());
        waits.put(steps.get(1).address(), Set.of(steps.get(3).address(), steps.get(4).address()));
        waits.put(steps.get(2).address(), Set.of(steps.get(0).address()));
        waits.put(steps.get(3).address(), Set.of());
        waits.put(steps.get(4).address(), Set.of(steps.get(0).address()));
        // chains: a-e-b (3 steps), d-b and e-b (2), b and c (1). a; d and e (2, in plan order); b and c (1, plan order):
        // b needed d and e
        assertEquals(List.of("a", "d", "e", "b", "c"), drain(new ReadySteps(steps, waits)));
    }

    /**
     * bench/run's stack: per namespace, in plan order, its one-request leaves, then its labels (three round trips),
     * then more leaves. The namespaces first (they gate everything), then every labels step, then the leaves in plan
     * order: in plan order alone the last namespace's labels started among the last steps and were the apply's tail.
     */
    @Test
    void threeRoundTripStepsStartBeforeTheOneRequestStepsAheadOfThemInPlanOrder() {
        List<ResourceChange> steps = new ArrayList<>();
        Map<ResourceAddress, Set<ResourceAddress>> waits = new LinkedHashMap<>();
        for (String ns : List.of("n0", "n1")) {
            ResourceChange namespace = step(ns);
            steps.add(namespace);
            waits.put(namespace.address(), Set.of());
            for (String leaf : List.of(ns + "-pa", ns + "-labels", ns + "-cm")) {
                ResourceChange c = step(leaf);
                steps.add(c);
                waits.put(c.address(), Set.of(namespace.address()));
            }
        }
        ReadySteps ready = new ReadySteps(steps, waits, c -> c.address().name().endsWith("labels") ? 3 : 1);
        // two slots: both namespaces start; then, as they finish, the labels before n0's pa (which came first in the plan)
        List<String> order = new ArrayList<>();
        List<ResourceChange> running = new ArrayList<>();
        while (ready.any() || !running.isEmpty()) {
            while (running.size() < 2 && ready.any()) {
                ResourceChange c = ready.first();
                ready.take(c);
                order.add(c.address().name());
                running.add(c);
            }
            ready.done(running.remove(0));
        }
        assertEquals(List.of("n0", "n1", "n0-labels", "n1-labels", "n0-pa", "n0-cm", "n1-pa", "n1-cm"), order);
    }

    @Test
    void aStepWhoseDependencyNeverFinishesNeverBecomesReady() {
        List<ResourceChange> steps = List.of(step("a"), step("b"));
        Map<ResourceAddress, Set<ResourceAddress>> waits = Map.of(steps.get(0).address(), Set.of(),
                steps.get(1).address(), Set.of(steps.get(0).address()));
        ReadySteps ready = new ReadySteps(steps, waits);
        ResourceChange a = ready.first();
        ready.take(a);  // a fails: done() is never called for it
        assertFalse(ready.any());
        ready.putBack(a);  // as a step fenced before it started
        assertEquals("a", ready.first().address().name());
    }
}

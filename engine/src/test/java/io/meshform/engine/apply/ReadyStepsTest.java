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
    void stepsStartInPlanOrderOnceEveryDependencyIsDone() {
        // plan order a, b, c, d, e; b waits for d and e, c waits for a, d waits for nothing, e waits for a
        List<ResourceChange> steps = List.of(step("a"), step("b"), step("c"), step("d"), step("e"));
        Map<ResourceAddress, Set<ResourceAddress>> waits = new LinkedHashMap<>();
        waits.put(steps.get(0).address(), Set.of());
        waits.put(steps.get(1).address(), Set.of(steps.get(3).address(), steps.get(4).address()));
        waits.put(steps.get(2).address(), Set.of(steps.get(0).address()));
        waits.put(steps.get(3).address(), Set.of());
        waits.put(steps.get(4).address(), Set.of(steps.get(0).address()));
        // a; then c (plan order before d and e); d; e; b last (it needed d and e)
        assertEquals(List.of("a", "c", "d", "e", "b"), drain(new ReadySteps(steps, waits)));
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

package io.meshform.engine.apply;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.plan.ResourceChange;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The steps of an apply whose dependencies are all done and that have not started, in plan order. Each step counts
 * the dependencies it still waits for; a finished step counts down those of the steps that wait for it. So choosing
 * the next steps costs a look at the first few, where walking every step at each step's end cost N x N checks
 * (25 million for an apply of 5,000).
 */
final class ReadySteps {
    private final List<ResourceChange> steps;
    private final Map<ResourceAddress, Integer> position = new HashMap<>();
    private final Map<ResourceAddress, List<ResourceChange>> waitedForBy = new HashMap<>();
    private final Map<ResourceAddress, Integer> waiting = new HashMap<>();
    /** Plan positions of the ready steps. */
    private final TreeSet<Integer> ready = new TreeSet<>();

    /** @param waitsFor every step's address to the addresses of the steps it waits for (all among {@code steps}) */
    ReadySteps(List<ResourceChange> steps, Map<ResourceAddress, Set<ResourceAddress>> waitsFor) {
        this.steps = steps;
        for (int i = 0; i < steps.size(); i++) {
            position.put(steps.get(i).address(), i);
        }
        for (int i = 0; i < steps.size(); i++) {
            ResourceChange c = steps.get(i);
            Set<ResourceAddress> deps = waitsFor.get(c.address());
            waiting.put(c.address(), deps.size());
            for (ResourceAddress d : deps) {
                waitedForBy.computeIfAbsent(d, k -> new ArrayList<>()).add(c);
            }
            if (deps.isEmpty()) {
                ready.add(i);
            }
        }
    }

    boolean any() {
        return !ready.isEmpty();
    }

    /** The first ready step in plan order (call only when {@link #any()}). */
    ResourceChange first() {
        return steps.get(ready.first());
    }

    /** The step starts: it is no longer ready. */
    void take(ResourceChange c) {
        ready.remove(position.get(c.address()));
    }

    /** A step that was taken but did not start after all (it found the lock gone): ready again. */
    void putBack(ResourceChange c) {
        ready.add(position.get(c.address()));
    }

    /** A step finished: the steps that waited only for it (and others done before) become ready. */
    void done(ResourceChange c) {
        for (ResourceChange w : waitedForBy.getOrDefault(c.address(), List.of())) {
            int left = waiting.merge(w.address(), -1, Integer::sum);
            if (left == 0) {
                ready.add(position.get(w.address()));
            }
        }
    }
}

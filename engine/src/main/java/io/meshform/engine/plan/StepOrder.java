package io.meshform.engine.plan;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.Action;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which steps of a plan apply waits for before it starts each one: the order apply carries the changes out in. The
 * applier follows it, and the plan JSON writes it ({@code step} and {@code waits_for}, docs/plan-json.md), from this one
 * class, so what a reviewer or a CI tool reads of the order is what apply does. Apply starts every step whose waits are
 * over, up to {@code --parallelism} at once, the first in plan order first.
 *
 * <p>The graph's edges do not say it alone: a delete waits for the deletes of what depended on it (the reverse of its
 * {@code depends_on}), a step of a type that runs one at a time waits for the one the plan put before it
 * ({@link SerialSteps}), and deposed objects are deleted last, one after the other.
 */
public final class StepOrder {
    private StepOrder() {
    }

    /**
     * Creates and updates wait for what they depend on; deletes wait for the deletes of what depended on them; a step
     * of a type that runs one at a time waits for the one the plan put before it, whatever either does. Keyed by address
     * (a ResourceChange's record hashCode walks its whole before/after trees).
     *
     * @param steps the steps the graph orders: what apply does something for, without deposed objects' deletes
     */
    public static Map<ResourceAddress, Set<ResourceAddress>> waits(List<ResourceChange> steps) {
        Map<ResourceAddress, ResourceChange> byAddress = new HashMap<>();
        steps.forEach(c -> byAddress.put(c.address(), c));
        Map<ResourceAddress, Set<ResourceAddress>> waits = new LinkedHashMap<>();
        steps.forEach(c -> waits.put(c.address(), new HashSet<>()));
        for (ResourceChange c : steps) {
            for (ResourceAddress d : c.dependsOn()) {
                ResourceChange dep = byAddress.get(d);
                if (dep == null) {
                    continue;
                }
                boolean cDeletes = c.action() == Action.DELETE;
                boolean depDeletes = dep.action() == Action.DELETE;
                if (!cDeletes && !depDeletes) {
                    waits.get(c.address()).add(d);
                } else if (cDeletes && depDeletes) {
                    waits.get(d).add(c.address());
                }
            }
            SerialSteps.waitsFor(c).filter(byAddress::containsKey).ifPresent(before -> waits.get(c.address()).add(before));
        }
        return waits;
    }

    /**
     * For each entry of {@code changes} (a plan's, in its order), the positions in {@code changes} of the entries whose
     * steps must have finished before its step starts, ascending; null for an entry apply does nothing for. A deposed
     * object's delete waits for every other step and for the deposed deletes before it: they run last, one by one.
     */
    public static List<List<Integer>> of(List<ResourceChange> changes) {
        List<ResourceChange> steps = new ArrayList<>();
        Map<ResourceAddress, Integer> position = new HashMap<>();
        List<Integer> graphSteps = new ArrayList<>();
        for (int i = 0; i < changes.size(); i++) {
            ResourceChange c = changes.get(i);
            if (c.changes() && !c.deposed()) {
                steps.add(c);
                position.put(c.address(), i);
                graphSteps.add(i);
            }
        }
        Map<ResourceAddress, Set<ResourceAddress>> waits = waits(steps);
        List<List<Integer>> out = new ArrayList<>(changes.size());
        TreeSet<Integer> deposedBefore = new TreeSet<>();
        for (int i = 0; i < changes.size(); i++) {
            ResourceChange c = changes.get(i);
            if (!c.changes()) {
                out.add(null);
            } else if (c.deposed()) {
                TreeSet<Integer> all = new TreeSet<>(graphSteps);
                all.addAll(deposedBefore);
                out.add(List.copyOf(all));
                deposedBefore.add(i);
            } else {
                TreeSet<Integer> before = new TreeSet<>();
                waits.get(c.address()).forEach(a -> before.add(position.get(a)));
                out.add(List.copyOf(before));
            }
        }
        return out;
    }
}

package io.meshform.engine.apply;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.plan.ResourceChange;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToIntFunction;

/**
 * The steps of an apply whose dependencies are all done and that have not started, the one to start first first. Each
 * step counts the dependencies it still waits for; a finished step counts down those of the steps that wait for it.
 * So choosing the next steps costs a look at the first few, where walking every step at each step's end cost N x N
 * checks (25 million for an apply of 5,000).
 *
 * <p><b>Which first: the longest chain of round trips.</b> Each step has a cost (about how many requests its type
 * makes one after the other) and a rank: its cost plus the highest rank among the steps that wait for it, i.e. the
 * round trips from its start to the end of the apply on its longest chain of dependants. Ready steps start by rank,
 * highest first, then in plan order (the classic "highest level first" list schedule). With one-request steps filling
 * every slot in plan order, a three-request step (a namespace's labels: GET, apply, LIST pods) that came late in the
 * plan started near the end and was the apply's tail by two round trips; a step that gates others (a namespace)
 * still goes before the leaves that need it.
 */
final class ReadySteps {
    private final List<ResourceChange> steps;
    private final Map<ResourceAddress, Integer> position = new HashMap<>();
    private final Map<ResourceAddress, List<ResourceChange>> waitedForBy = new HashMap<>();
    private final Map<ResourceAddress, Integer> waiting = new HashMap<>();
    /** Plan positions of the ready steps, the highest rank first, then plan order. */
    private final TreeSet<Integer> ready;

    /** Every step costs one round trip: the longest chain of dependants first, then plan order. */
    ReadySteps(List<ResourceChange> steps, Map<ResourceAddress, Set<ResourceAddress>> waitsFor) {
        this(steps, waitsFor, c -> 1);
    }

    /**
     * @param waitsFor every step's address to the addresses of the steps it waits for (all among {@code steps})
     * @param cost     about how many round trips a step takes, one after the other (at least 1 is assumed)
     */
    ReadySteps(List<ResourceChange> steps, Map<ResourceAddress, Set<ResourceAddress>> waitsFor,
               ToIntFunction<ResourceChange> cost) {
        this.steps = steps;
        for (int i = 0; i < steps.size(); i++) {
            position.put(steps.get(i).address(), i);
        }
        for (ResourceChange c : steps) {
            for (ResourceAddress d : waitsFor.get(c.address())) {
                waitedForBy.computeIfAbsent(d, k -> new ArrayList<>()).add(c);
            }
        }
        long[] rank = ranks(waitsFor, cost);
        this.ready = new TreeSet<>(Comparator.<Integer>comparingLong(i -> -rank[i]).thenComparingInt(i -> i));
        for (int i = 0; i < steps.size(); i++) {
            ResourceChange c = steps.get(i);
            int deps = waitsFor.get(c.address()).size();
            waiting.put(c.address(), deps);
            if (deps == 0) {
                ready.add(i);
            }
        }
    }

    /**
     * Each step's cost plus the highest rank of the steps waiting for it, from the last steps back (no recursion: a
     * chain may be thousands of steps long). The waits have no cycle (the plan's graph has none).
     */
    private long[] ranks(Map<ResourceAddress, Set<ResourceAddress>> waitsFor, ToIntFunction<ResourceChange> cost) {
        long[] rank = new long[steps.size()];
        int[] dependantsLeft = new int[steps.size()];
        Deque<Integer> next = new ArrayDeque<>();
        for (int i = 0; i < steps.size(); i++) {
            dependantsLeft[i] = waitedForBy.getOrDefault(steps.get(i).address(), List.of()).size();
            if (dependantsLeft[i] == 0) {
                next.add(i);
            }
        }
        while (!next.isEmpty()) {
            int i = next.poll();
            ResourceChange c = steps.get(i);
            long longest = 0;
            for (ResourceChange w : waitedForBy.getOrDefault(c.address(), List.of())) {
                longest = Math.max(longest, rank[position.get(w.address())]);
            }
            rank[i] = Math.max(1, cost.applyAsInt(c)) + longest;
            for (ResourceAddress d : waitsFor.get(c.address())) {
                int j = position.get(d);
                if (--dependantsLeft[j] == 0) {
                    next.add(j);
                }
            }
        }
        return rank;
    }

    boolean any() {
        return !ready.isEmpty();
    }

    /** The ready step to start first (call only when {@link #any()}). */
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

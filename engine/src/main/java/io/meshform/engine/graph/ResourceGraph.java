package io.meshform.engine.graph;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.model.ResourceAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Resources and the "depends on" edges between them. Orders are stable (ties broken by address), so plans
 * and golden files do not shuffle between runs.
 */
public final class ResourceGraph {
    private final Map<ResourceAddress, Set<ResourceAddress>> dependencies = new TreeMap<>();
    private final Map<ResourceAddress, Set<ResourceAddress>> dependants = new TreeMap<>();
    /**
     * Set when {@link #cycles} found none and nothing was added since: the planner checks for cycles itself (to place
     * the error) and then asks for the order, which need not run Tarjan's search a second time (3 of the main
     * thread's samples in 3 no-op plans at N=1,000, before the first read).
     */
    private boolean knownAcyclic;

    public void add(ResourceAddress node) {
        knownAcyclic = false;
        dependencies.computeIfAbsent(node, k -> new TreeSet<>());
        dependants.computeIfAbsent(node, k -> new TreeSet<>());
    }

    /** {@code from} depends on {@code to}: {@code to} is created first and destroyed last. */
    public void addEdge(ResourceAddress from, ResourceAddress to) {
        add(from);
        add(to);
        dependencies.get(from).add(to);
        dependants.get(to).add(from);
    }

    public Set<ResourceAddress> nodes() {
        return Collections.unmodifiableSet(dependencies.keySet());
    }

    public boolean contains(ResourceAddress node) {
        return dependencies.containsKey(node);
    }

    public Set<ResourceAddress> dependenciesOf(ResourceAddress node) {
        return Collections.unmodifiableSet(dependencies.getOrDefault(node, Set.of()));
    }

    public Set<ResourceAddress> dependantsOf(ResourceAddress node) {
        return Collections.unmodifiableSet(dependants.getOrDefault(node, Set.of()));
    }

    /** Dependencies first. Fails with every cycle listed when the graph has one. */
    public List<ResourceAddress> topologicalOrder() {
        if (!knownAcyclic) {
            requireAcyclic();
        }
        Map<ResourceAddress, Integer> waiting = new HashMap<>();
        PriorityQueue<ResourceAddress> ready = new PriorityQueue<>();
        dependencies.forEach((n, deps) -> {
            waiting.put(n, deps.size());
            if (deps.isEmpty()) {
                ready.add(n);
            }
        });
        List<ResourceAddress> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            ResourceAddress n = ready.poll();
            order.add(n);
            for (ResourceAddress d : dependants.get(n)) {
                if (waiting.merge(d, -1, Integer::sum) == 0) {
                    ready.add(d);
                }
            }
        }
        return order;
    }

    /** The nodes plus everything they depend on, transitively (what {@code --target} keeps). */
    public Set<ResourceAddress> withDependencies(Set<ResourceAddress> roots) {
        return closure(roots, dependencies);
    }

    /** The nodes plus everything that depends on them, transitively (what {@code --exclude} drops). */
    public Set<ResourceAddress> withDependants(Set<ResourceAddress> roots) {
        return closure(roots, dependants);
    }

    private static Set<ResourceAddress> closure(Set<ResourceAddress> roots, Map<ResourceAddress, Set<ResourceAddress>> edges) {
        Set<ResourceAddress> seen = new TreeSet<>();
        Deque<ResourceAddress> todo = new ArrayDeque<>(roots);
        while (!todo.isEmpty()) {
            ResourceAddress n = todo.pop();
            if (seen.add(n)) {
                todo.addAll(edges.getOrDefault(n, Set.of()));
            }
        }
        return seen;
    }

    /** Every cycle (one per strongly connected component), each as a path that returns to its start. */
    public List<List<ResourceAddress>> cycles() {
        List<List<ResourceAddress>> result = new ArrayList<>();
        for (Set<ResourceAddress> component : new Tarjan().components()) {
            if (component.size() > 1 || dependencies.get(component.iterator().next()).contains(component.iterator().next())) {
                result.add(cyclePath(component));
            }
        }
        result.sort((a, b) -> a.get(0).compareTo(b.get(0)));
        knownAcyclic = result.isEmpty();
        return result;
    }

    public void requireAcyclic() {
        List<List<ResourceAddress>> cycles = cycles();
        if (cycles.isEmpty()) {
            return;
        }
        String paths = cycles.stream()
                .map(c -> c.stream().map(ResourceAddress::toString).collect(Collectors.joining(" -> ")))
                .collect(Collectors.joining("\n"));
        throw new DiagnosticsException(Diagnostic.error(
                "dependency cycle" + (cycles.size() > 1 ? "s" : "") + " between resources",
                paths + "\nremove one `dependsOn` entry from each cycle (implicit edges: an Istio policy depends on "
                        + "the Istio install, a label on its namespace)", null));
    }

    /** Walks from the smallest node along edges inside the component until it comes back. */
    private List<ResourceAddress> cyclePath(Set<ResourceAddress> component) {
        ResourceAddress start = new TreeSet<>(component).first();
        List<ResourceAddress> path = new ArrayList<>();
        Set<ResourceAddress> onPath = new LinkedHashSet<>();
        if (findBack(start, start, component, path, onPath)) {
            path.add(start);
        }
        return path;
    }

    private boolean findBack(ResourceAddress node, ResourceAddress start, Set<ResourceAddress> component,
                             List<ResourceAddress> path, Set<ResourceAddress> onPath) {
        path.add(node);
        onPath.add(node);
        for (ResourceAddress next : dependencies.get(node)) {
            if (next.equals(start)) {
                return true;
            }
            if (component.contains(next) && !onPath.contains(next) && findBack(next, start, component, path, onPath)) {
                return true;
            }
        }
        path.remove(path.size() - 1);
        return false;
    }

    /** Graphviz DOT, an arrow from each resource to what it depends on. */
    public String toDot() {
        StringBuilder sb = new StringBuilder("digraph meshform {\n  rankdir = \"RL\";\n  node [shape = box];\n");
        for (ResourceAddress n : dependencies.keySet()) {
            sb.append("  \"").append(n).append("\";\n");
        }
        dependencies.forEach((from, tos) -> tos.forEach(to ->
                sb.append("  \"").append(from).append("\" -> \"").append(to).append("\";\n")));
        return sb.append("}\n").toString();
    }

    /** An indented tree, dependencies under each resource, for tests and `graph --format text`. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        dependencies.forEach((n, deps) -> {
            sb.append(n).append('\n');
            deps.forEach(d -> sb.append("  ").append(d).append('\n'));
        });
        return sb.toString();
    }

    /** Strongly connected components, iteratively so deep graphs cannot overflow the stack. */
    private final class Tarjan {
        private final Map<ResourceAddress, Integer> index = new HashMap<>();
        private final Map<ResourceAddress, Integer> low = new HashMap<>();
        private final Deque<ResourceAddress> stack = new ArrayDeque<>();
        private final Set<ResourceAddress> onStack = new java.util.HashSet<>();
        private final List<Set<ResourceAddress>> result = new ArrayList<>();
        private int counter;

        List<Set<ResourceAddress>> components() {
            for (ResourceAddress n : dependencies.keySet()) {
                if (!index.containsKey(n)) {
                    visit(n);
                }
            }
            return result;
        }

        private void visit(ResourceAddress root) {
            Deque<Object[]> work = new ArrayDeque<>();
            enter(root);
            work.push(new Object[] {root, new ArrayList<>(dependencies.get(root)).iterator()});
            while (!work.isEmpty()) {
                Object[] frame = work.peek();
                ResourceAddress n = (ResourceAddress) frame[0];
                @SuppressWarnings("unchecked")
                java.util.Iterator<ResourceAddress> it = (java.util.Iterator<ResourceAddress>) frame[1];
                if (it.hasNext()) {
                    ResourceAddress m = it.next();
                    if (!index.containsKey(m)) {
                        enter(m);
                        work.push(new Object[] {m, new ArrayList<>(dependencies.get(m)).iterator()});
                    } else if (onStack.contains(m)) {
                        low.put(n, Math.min(low.get(n), index.get(m)));
                    }
                    continue;
                }
                work.pop();
                if (!work.isEmpty()) {
                    ResourceAddress parent = (ResourceAddress) work.peek()[0];
                    low.put(parent, Math.min(low.get(parent), low.get(n)));
                }
                if (low.get(n).equals(index.get(n))) {
                    Set<ResourceAddress> component = new TreeSet<>();
                    ResourceAddress m;
                    do {
                        m = stack.pop();
                        onStack.remove(m);
                        component.add(m);
                    } while (!m.equals(n));
                    result.add(component);
                }
            }
        }

        private void enter(ResourceAddress n) {
            index.put(n, counter);
            low.put(n, counter);
            counter++;
            stack.push(n);
            onStack.add(n);
        }
    }
}

package io.meshform.engine.spi;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.Stack;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** The resource types and checks of every provider in use, by type name. */
public final class TypeRegistry {
    private final Map<String, ResourceType> types = new TreeMap<>();
    private final List<PlanCheck> checks = new ArrayList<>();
    private final List<Provider> providers;
    private final List<DependencyRule> rules = new ArrayList<>();

    public TypeRegistry(List<? extends Provider> providers) {
        this(providers, Set.of());
    }

    /** Without the checks named in {@code skippedChecks} (e.g. {@code --no-analyze} leaves out istio-analyze). */
    public TypeRegistry(List<? extends Provider> providers, Set<String> skippedChecks) {
        this.providers = List.copyOf(providers);
        for (Provider p : providers) {
            for (ResourceType t : p.resourceTypes()) {
                if (types.putIfAbsent(t.name(), t) != null) {
                    throw new IllegalStateException("resource type " + t.name() + " is provided twice");
                }
            }
            p.checks().stream().filter(c -> !skippedChecks.contains(c.name())).forEach(checks::add);
            rules.addAll(p.dependencyRules());
        }
    }

    public Optional<ResourceType> find(String name) {
        return Optional.ofNullable(types.get(name));
    }

    public ResourceType get(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("unknown resource type " + name));
    }

    public Set<String> names() {
        return Collections.unmodifiableSet(types.keySet());
    }

    /**
     * Reads the live objects of many resources, grouped by type: each type's batch read runs in parallel with the
     * others', since each waits on the API server. Resources whose object does not exist are absent.
     */
    public Map<ResourceAddress, LiveObject> read(StackContext context, Map<String, List<ResourceRef>> byType) {
        Map<ResourceAddress, LiveObject> live = new java.util.concurrent.ConcurrentHashMap<>();
        if (byType.size() < 2) {
            byType.forEach((type, refs) -> live.putAll(get(type).read(new ReadRequest(context, refs))));
            return live;
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(byType.size(), r -> {
            Thread t = new Thread(r, "meshform-read");
            t.setDaemon(true);
            return t;
        });
        try {
            List<java.util.concurrent.Future<Map<ResourceAddress, LiveObject>>> reads = new ArrayList<>();
            byType.forEach((type, refs) -> reads.add(pool.submit(() -> get(type).read(new ReadRequest(context, refs)))));
            for (var f : reads) {
                live.putAll(f.get());
            }
            return live;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("reading the cluster was interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Makes sure the cluster answers (see {@link Provider#ping}): the providers of {@code typeNames} (the types a stack
     * declares or a state records), or every provider when there are none.
     */
    public void ping(Set<String> typeNames) {
        for (Provider p : providers) {
            if (typeNames.isEmpty() || p.resourceTypes().stream().anyMatch(t -> typeNames.contains(t.name()))) {
                p.ping();
            }
        }
    }

    /** {@link Provider#connect} for the providers of {@code typeNames} (the types a stack declares). */
    public void connect(Set<String> typeNames) {
        for (Provider p : providers) {
            if (p.resourceTypes().stream().anyMatch(t -> typeNames.contains(t.name()))) {
                p.connect();
            }
        }
    }

    public List<PlanCheck> checks() {
        return Collections.unmodifiableList(checks);
    }

    /**
     * Every edge {@code resource} gets without the user writing it: its type's own, and those of every provider's
     * {@link DependencyRule}s; only addresses the stack declares.
     */
    public Set<ResourceAddress> implicitDependencies(ResourceDecl resource, Stack stack) {
        Set<ResourceAddress> deps = new java.util.TreeSet<>(get(resource.type()).implicitDependencies(resource, stack));
        for (DependencyRule rule : rules) {
            // A rule speaks of kinds of resources; it never makes one wait for itself.
            rule.dependencies(resource, stack).stream().filter(d -> !d.equals(resource.address())).forEach(deps::add);
        }
        deps.removeIf(d -> stack.find(d).isEmpty());
        return deps;
    }
}

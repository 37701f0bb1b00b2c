package io.meshform.engine.spi;

import io.meshform.engine.model.ResourceAddress;
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

    public TypeRegistry(List<? extends Provider> providers) {
        this.providers = List.copyOf(providers);
        for (Provider p : providers) {
            for (ResourceType t : p.resourceTypes()) {
                if (types.putIfAbsent(t.name(), t) != null) {
                    throw new IllegalStateException("resource type " + t.name() + " is provided twice");
                }
            }
            checks.addAll(p.checks());
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
    public Map<ResourceAddress, LiveObject> read(Map<String, List<ResourceRef>> byType) {
        Map<ResourceAddress, LiveObject> live = new java.util.concurrent.ConcurrentHashMap<>();
        if (byType.size() < 2) {
            byType.forEach((type, refs) -> live.putAll(get(type).read(refs)));
            return live;
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(byType.size(), r -> {
            Thread t = new Thread(r, "meshform-read");
            t.setDaemon(true);
            return t;
        });
        try {
            List<java.util.concurrent.Future<Map<ResourceAddress, LiveObject>>> reads = new ArrayList<>();
            byType.forEach((type, refs) -> reads.add(pool.submit(() -> get(type).read(refs))));
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

    public List<PlanCheck> checks() {
        return Collections.unmodifiableList(checks);
    }
}

package io.meshform.engine.spi;

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

    public TypeRegistry(List<? extends Provider> providers) {
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

    public List<PlanCheck> checks() {
        return Collections.unmodifiableList(checks);
    }
}

package io.meshform.engine.model;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A loaded desired-state file: its resources in file order, variables resolved. {@code digest} identifies
 * the resolved content, so a saved plan can tell that the file changed after it was made. A class rather than a
 * record only to keep indexes by address and by type: planning looks resources up once per edge and per resource.
 */
public final class Stack {
    private final String name;
    private final Environment environment;
    private final Path file;
    private final BackendConfig backend;
    private final List<ResourceDecl> resources;
    /** Computed beside the plan when the loader made the stack (StackDigest); asked for when the plan is finished. */
    private final Supplier<String> digest;
    private final Map<ResourceAddress, ResourceDecl> byAddress = new HashMap<>();
    private final Map<String, List<ResourceDecl>> byType = new HashMap<>();
    /** Indexes providers derive from the resources, each built on first use ({@link #derived}). */
    private final Map<Object, Object> derived = new ConcurrentHashMap<>();

    public Stack(String name, Environment environment, Path file, BackendConfig backend, List<ResourceDecl> resources,
                 String digest) {
        this(name, environment, file, backend, resources, () -> digest);
    }

    /** A stack whose digest is still being computed: {@code digest} gives it, waiting if need be. */
    public Stack(String name, Environment environment, Path file, BackendConfig backend, List<ResourceDecl> resources,
                 Supplier<String> digest) {
        this.name = name;
        this.environment = environment;
        this.file = file;
        this.backend = backend;
        this.resources = List.copyOf(resources);
        this.digest = digest;
        for (ResourceDecl r : this.resources) {
            if (byAddress.put(r.address(), r) != null) {
                throw new IllegalArgumentException("duplicate resource " + r.address());
            }
            byType.computeIfAbsent(r.type(), t -> new java.util.ArrayList<>()).add(r);
        }
        byType.replaceAll((t, list) -> List.copyOf(list));
    }

    public String name() {
        return name;
    }

    public Environment environment() {
        return environment;
    }

    public Path file() {
        return file;
    }

    public BackendConfig backend() {
        return backend;
    }

    public List<ResourceDecl> resources() {
        return resources;
    }

    public String digest() {
        return digest.get();
    }

    public Optional<ResourceDecl> find(ResourceAddress address) {
        return Optional.ofNullable(byAddress.get(address));
    }

    public boolean declares(String type) {
        return byType.containsKey(type);
    }

    /** The resources of one type, in file order. Providers ask this once per resource for implicit edges. */
    public List<ResourceDecl> ofType(String type) {
        return byType.getOrDefault(type, List.of());
    }

    /**
     * What {@code derive} computes from this stack, computed once per stack and key. For a provider's index over all
     * resources (which ones create a namespace): it is asked once per resource, for implicit edges and plans, and a
     * scan per question made the graph of N resources quadratic.
     */
    @SuppressWarnings("unchecked")
    public <T> T derived(Class<?> key, Function<Stack, T> derive) {
        return (T) derived.computeIfAbsent(key, k -> derive.apply(this));
    }
}

package io.meshform.state;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The backend kinds a run can use: those on the class path ({@link #installed()}), or a given list in tests. */
public final class BackendCatalog {
    private final Map<String, BackendKind> kinds = new TreeMap<>();

    public BackendCatalog(Collection<? extends BackendKind> kinds) {
        for (BackendKind k : kinds) {
            if (this.kinds.putIfAbsent(k.name(), k) != null) {
                throw new IllegalStateException("two state backends are named `" + k.name() + "`");
            }
        }
    }

    /** Every kind registered in {@code META-INF/services/io.meshform.state.BackendKind} on the class path. */
    public static BackendCatalog installed() {
        return new BackendCatalog(ServiceLoader.load(BackendKind.class, BackendCatalog.class.getClassLoader())
                .stream().map(ServiceLoader.Provider::get).toList());
    }

    public Optional<BackendKind> find(String name) {
        return Optional.ofNullable(kinds.get(name));
    }

    /** The kind's name, sorted: for "expected one of" messages and suggestions. */
    public List<String> names() {
        return List.copyOf(kinds.keySet());
    }

    /** The kind, or an error naming those that exist. */
    public BackendKind get(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException(
                "no state backend `" + name + "`; this meshform has " + String.join(", ", names())));
    }
}

package io.meshform.state;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a backend is opened with.
 *
 * @param settings the {@code backend:} block's values, already {@link BackendKind#check checked}
 * @param stackDirectory the directory of the stack file: relative paths in the settings start there
 * @param connections the clients the run already holds, so a backend in the cluster talks to it with the same
 *     kubeconfig and context as the providers
 * @param root the stack's root directory, which a file backend must not write outside of (see
 *     {@link LocalStateBackend#confinedTo}); null when the runner allowed paths outside the root
 */
public record BackendRequest(Map<String, String> settings, Path stackDirectory, Connections connections, Path root) {

    public BackendRequest {
        settings = Map.copyOf(settings);
    }

    /** A request with no root to keep to: library use and tests, where the caller decides where state goes. */
    public BackendRequest(Map<String, String> settings, Path stackDirectory, Connections connections) {
        this(settings, stackDirectory, connections, null);
    }

    /** Gives a backend a client of a type it names; the CLI, the only wiring, decides which types it can give. */
    @FunctionalInterface
    public interface Connections {
        /** @throws IllegalStateException when this run has no client of that type */
        Object get(Class<?> type);

        /** A typed lookup of {@link #get}. */
        default <T> T client(Class<T> type) {
            return type.cast(get(type));
        }
    }
}

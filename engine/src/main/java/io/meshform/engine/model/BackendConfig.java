package io.meshform.engine.model;

import java.util.Map;

/**
 * Where the stack keeps its state, as the file declares it: {@code local} (a path) or {@code kubernetes}
 * (namespace and name). The CLI builds the backend; the engine only carries the settings.
 */
public record BackendConfig(String kind, Map<String, String> settings) {

    public static BackendConfig localDefault() {
        return new BackendConfig("local", Map.of());
    }
}

package io.meshform.engine.spi;

import java.util.Map;
import java.util.Optional;

/**
 * Connection settings from the command line and environment (kubeconfig, context, istioctl path, ...),
 * passed to providers as plain strings so the engine stays free of their types.
 */
public record ProviderSettings(Map<String, String> values) {

    public ProviderSettings {
        values = Map.copyOf(values);
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key)).filter(v -> !v.isBlank());
    }
}

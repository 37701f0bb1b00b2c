package io.meshform.cli;

import io.meshform.engine.model.BackendConfig;
import io.meshform.engine.spi.ProviderSettings;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.state.KubernetesNames;
import io.meshform.state.KubernetesStateBackend;
import io.meshform.state.StateBackend;
import java.time.Duration;

/** Opens the Kubernetes state backend with the same kubeconfig and context as the providers. */
final class KubernetesBackends {
    private KubernetesBackends() {
    }

    /** @param origin where the settings came from, for messages: {@code --state-secret} or the stack's backend */
    static StateBackend open(ProviderSettings settings, BackendConfig config, String origin) {
        String namespace = config.settings().get("namespace");
        String name = config.settings().getOrDefault("name", "default");
        try {
            // Before any connection: a bad name gets a clear message, not the API server's 404 or 422.
            KubernetesNames.checkLocation(namespace, name);
        } catch (IllegalArgumentException e) {
            throw new UserError(origin + ": " + e.getMessage());
        }
        int leaseSeconds;
        try {
            leaseSeconds = Integer.parseInt(config.settings().getOrDefault("leaseSeconds", "30"));
        } catch (NumberFormatException e) {
            throw new UserError(origin + ": leaseSeconds must be a whole number of seconds");
        }
        if (leaseSeconds < 10) {
            // istioctl is stopped once meshform has been silent for 5 s; a lease shorter than that plus renewal
            // slack could be taken over while a paused run's istioctl still works
            throw new UserError(origin + ": leaseSeconds must be at least 10 (got " + leaseSeconds + ")");
        }
        // The connection lives as long as the process: the lock's renewer uses it until the command ends.
        KubeConnection connection = new KubeConnection(settings);
        return new KubernetesStateBackend(connection.client(), namespace, name, Duration.ofSeconds(leaseSeconds));
    }
}

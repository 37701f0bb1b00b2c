package io.meshform.cli;

import io.meshform.engine.model.BackendConfig;
import io.meshform.engine.spi.ProviderSettings;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.state.KubernetesStateBackend;
import io.meshform.state.StateBackend;
import java.time.Duration;

/** Opens the Kubernetes state backend with the same kubeconfig and context as the providers. */
final class KubernetesBackends {
    private KubernetesBackends() {
    }

    static StateBackend open(ProviderSettings settings, BackendConfig config) {
        String namespace = config.settings().get("namespace");
        String name = config.settings().getOrDefault("name", "default");
        int leaseSeconds;
        try {
            leaseSeconds = Integer.parseInt(config.settings().getOrDefault("leaseSeconds", "30"));
        } catch (NumberFormatException e) {
            throw new UserError("backend kubernetes: leaseSeconds must be a whole number of seconds");
        }
        // The connection lives as long as the process: the lock's renewer uses it until the command ends.
        KubeConnection connection = new KubeConnection(settings);
        return new KubernetesStateBackend(connection.client(), namespace, name, Duration.ofSeconds(leaseSeconds));
    }
}

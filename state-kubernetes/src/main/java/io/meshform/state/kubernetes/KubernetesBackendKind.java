package io.meshform.state.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshform.state.BackendKind;
import io.meshform.state.BackendRequest;
import io.meshform.state.SettingProblem;
import io.meshform.state.StateBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code backend: {kubernetes: {namespace, name, leaseSeconds}}}: a Secret and a Lease in the cluster the run
 * talks to, through the client the run already holds.
 */
public final class KubernetesBackendKind implements BackendKind {
    public static final String NAME = "kubernetes";
    static final int MIN_LEASE_SECONDS = 10;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, String> settings() {
        return Map.of(
                "namespace", "the namespace of the state Secret and the lock Lease (required)",
                "name", "the state's name: Secret meshform-state-NAME, Lease meshform-lock-NAME (default: default)",
                "leaseSeconds", "how long the lock outlives a runner that stopped renewing it (default: 30, at least "
                        + MIN_LEASE_SECONDS + ")");
    }

    @Override
    public List<SettingProblem> check(Map<String, String> settings) {
        List<SettingProblem> out = new ArrayList<>();
        String namespace = settings.get("namespace");
        if (namespace == null) {
            out.add(new SettingProblem(null, "backend `kubernetes` needs a `namespace`",
                    "the namespace that holds the state Secret and lock Lease, e.g. namespace: cortex-ops"));
        } else if (KubernetesNames.namespaceProblem(namespace) != null) {
            out.add(new SettingProblem("namespace", KubernetesNames.namespaceProblem(namespace),
                    "the namespace that holds the state Secret and lock Lease, e.g. namespace: cortex-ops"));
        }
        String name = settings.get("name");
        if (name != null && KubernetesNames.nameProblem(name) != null) {
            out.add(new SettingProblem("name", KubernetesNames.nameProblem(name), "e.g. name: production"));
        }
        String lease = settings.get("leaseSeconds");
        if (lease != null) {
            int seconds;
            try {
                seconds = Integer.parseInt(lease);
            } catch (NumberFormatException e) {
                seconds = -1;
            }
            if (seconds < MIN_LEASE_SECONDS) {
                out.add(new SettingProblem("leaseSeconds", "`leaseSeconds` must be a whole number of at least "
                        + MIN_LEASE_SECONDS + ", found " + lease,
                        "a shorter lease can expire under a runner paused by the machine, e.g. leaseSeconds: 30"));
            }
        }
        return out;
    }

    @Override
    public StateBackend open(BackendRequest request) {
        Map<String, String> s = request.settings();
        return new KubernetesStateBackend(request.connections().client(KubernetesClient.class), s.get("namespace"),
                s.getOrDefault("name", "default"),
                Duration.ofSeconds(Integer.parseInt(s.getOrDefault("leaseSeconds", "30"))));
    }
}

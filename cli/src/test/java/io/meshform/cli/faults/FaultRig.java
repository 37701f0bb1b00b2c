package io.meshform.cli.faults;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshform.state.LocalStateBackend;
import io.meshform.state.StateSnapshot;
import io.meshform.state.kubernetes.KubernetesStateBackend;
import io.meshform.testkit.ClusterContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * One scenario's stack and state: {@code objects} ConfigMaps in a namespace of the test's own (optionally with an
 * Istio install), state in a local file or in a Secret of that namespace, and the CLI arguments a user would type.
 */
final class FaultRig {
    static final String STATE_NAME = "faults";
    /** What a run prints when a step's change is done (the progress lines of ConsoleProgress). */
    static final Predicate<String> STEP_DONE = l -> l.contains(": Creation complete") || l.contains(": Modifications complete")
            || l.contains(": Destruction complete");
    static final Predicate<String> STEP_STARTED = l -> l.endsWith(": Creating...") || l.endsWith(": Modifying...")
            || l.endsWith(": Destroying...");

    private final ClusterContext cluster;
    private final Path dir;
    private final String namespace;
    private final boolean kubernetesState;
    private final int leaseSeconds;
    private final int objects;
    private final boolean istio;

    FaultRig(ClusterContext cluster, Path dir, boolean kubernetesState, int leaseSeconds, int objects, boolean istio) {
        this.cluster = cluster;
        this.dir = dir;
        this.namespace = cluster.newNamespace();
        this.kubernetesState = kubernetesState;
        this.leaseSeconds = leaseSeconds;
        this.objects = objects;
        this.istio = istio;
    }

    String namespace() {
        return namespace;
    }

    ClusterContext cluster() {
        return cluster;
    }

    /** True when the local lock file still names a holder (a released local lock leaves it empty). */
    boolean lockRecordPresent() {
        Path lock = dir.resolve("state.json.lock");
        try {
            return Files.exists(lock) && !Files.readString(lock).isBlank();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    KubernetesClient client() {
        return cluster.client();
    }

    Path kubeconfig() {
        return cluster.kubeconfigPath();
    }

    /** Writes the stack with every ConfigMap's value tagged {@code variant}, and returns its path. */
    Path stack(String variant) {
        StringBuilder sb = new StringBuilder("apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: faults}\n");
        if (kubernetesState) {
            sb.append("backend:\n  kubernetes: {namespace: ").append(namespace).append(", name: ").append(STATE_NAME)
                    .append(", leaseSeconds: ").append(leaseSeconds).append("}\n");
        }
        sb.append("resources:\n");
        if (istio) {
            sb.append("  - type: istio.install\n    name: mesh\n    spec: {version: \"")
                    .append(io.meshform.testkit.Testbed.versions().get("ISTIO_VERSION")).append("\", profile: default}\n");
        }
        for (int i = 0; i < objects; i++) {
            sb.append("  - type: kubernetes.manifest\n    name: cm-").append(i).append("\n    spec:\n      manifest:\n")
                    .append("        apiVersion: v1\n        kind: ConfigMap\n        metadata: {name: cm-").append(i)
                    .append(", namespace: ").append(namespace).append("}\n        data: {index: \"").append(i)
                    .append("\", variant: \"").append(variant).append("\"}\n");
        }
        Path p = dir.resolve("stack-" + variant + ".yaml");
        try {
            Files.writeString(p, sb.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** {@code meshform COMMAND... -f STACK} with this rig's state, cluster and istioctl. */
    List<String> args(Path stack, String... command) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of("-f", stack.toString(), "--kubeconfig", cluster.kubeconfigPath().toString(),
                "--istioctl", cluster.istioctl().toString(), "--no-color"));
        if (!kubernetesState) {
            all.addAll(List.of("--state", dir.resolve("state.json").toString()));
        }
        return all;
    }

    CliProcess start(Path stack, String... command) {
        return CliProcess.start(args(stack, command));
    }

    /** Runs a command to its end; returns the exit code and output. */
    Run run(Path stack, Duration timeout, String... command) {
        try (CliProcess p = start(stack, command)) {
            int code = p.finish(timeout);
            return new Run(code, p.output());
        }
    }

    record Run(int code, String output) {
    }

    Optional<StateSnapshot> readState() {
        if (kubernetesState) {
            return new KubernetesStateBackend(cluster.client(), namespace, STATE_NAME).read();
        }
        Path f = dir.resolve("state.json");
        return new LocalStateBackend(f).read();
    }

    /** The state Secret's resourceVersion (or the local file's bytes' hash): changes with every write. */
    String stateVersion() {
        if (kubernetesState) {
            var s = cluster.client().secrets().inNamespace(namespace).withName("meshform-state-" + STATE_NAME).get();
            return s == null ? "none" : s.getMetadata().getResourceVersion();
        }
        try {
            Path f = dir.resolve("state.json");
            return Files.exists(f) ? Integer.toHexString(java.util.Arrays.hashCode(Files.readAllBytes(f))) : "none";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Set<String> declared() {
        Set<String> out = new TreeSet<>();
        for (int i = 0; i < objects; i++) {
            out.add(namespace + "/cm-" + i);
        }
        return out;
    }

    StateAudit audit() {
        return StateAudit.of(this::readState, cluster.client(), List.of(namespace), declared());
    }

    /** How many of the stack's ConfigMaps hold {@code variant}. */
    long holding(String variant) {
        return cluster.client().configMaps().inNamespace(namespace).list().getItems().stream()
                .filter(c -> c.getData() != null && variant.equals(c.getData().get("variant"))).count();
    }
}

package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * plan and drift over several contexts at once. The "fleet" is two contexts of one kubeconfig that point at the
 * same local cluster; each keeps its own state, so what one applied is not the other's.
 */
@LiveClusterTest
class FleetIT {
    @TempDir
    Path dir;

    record Result(int code, String out) {
    }

    private Path twoContexts(ClusterContext cluster) throws IOException {
        YAMLMapper yaml = new YAMLMapper();
        ObjectNode config = (ObjectNode) yaml.readTree(Files.readString(cluster.kubeconfigPath()));
        ArrayNode contexts = (ArrayNode) config.get("contexts");
        ObjectNode original = (ObjectNode) contexts.get(0);
        contexts.removeAll();
        for (String name : List.of("fleet-a", "fleet-b")) {
            ObjectNode copy = original.deepCopy();
            copy.put("name", name);
            contexts.add(copy);
        }
        config.put("current-context", "fleet-a");
        Path file = dir.resolve("fleet.kubeconfig");
        Files.writeString(file, yaml.writeValueAsString(config));
        return file;
    }

    private Result run(Path stack, Path kubeconfig, String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-f", stack.toString(), "--kubeconfig", kubeconfig.toString()));
        int code = Main.run(new Terminal(ps, ps, new ByteArrayInputStream(new byte[0]), Map.of(), false), all.toArray(String[]::new));
        return new Result(code, buf.toString(StandardCharsets.UTF_8));
    }

    @Test
    void planAndDriftRunPerClusterWithOneCombinedExitCode(ClusterContext cluster) throws IOException {
        String namespace = cluster.newNamespace();
        Path kubeconfig = twoContexts(cluster);
        Path stack = dir.resolve("meshform.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: fleet}
                resources:
                  - type: kubernetes.manifest
                    name: settings
                    spec:
                      manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: settings, namespace: %s}, data: {mode: strict}}
                """.formatted(namespace));

        Result planBoth = run(stack, kubeconfig, "plan", "--detailed-exitcode", "--context", "fleet-a", "--context", "fleet-b");
        assertEquals(2, planBoth.code(), planBoth.out());
        assertTrue(planBoth.out().contains("=== context fleet-a (exit 2)") && planBoth.out().contains("=== context fleet-b (exit 2)"),
                planBoth.out());
        assertEquals(0, run(stack, kubeconfig, "plan", "--all-contexts").code(), "without --detailed-exitcode changes exit 0");

        Result apply = run(stack, kubeconfig, "apply", "--auto-approve", "--context", "fleet-a", "--state",
                dir.resolve("meshform.fleet-a.state.json").toString());
        assertEquals(0, apply.code(), apply.out());
        cluster.client().configMaps().inNamespace(namespace).withName("settings")
                .edit(c -> {
                    c.getData().put("mode", "permissive");
                    return c;
                });

        Result noState = run(stack, kubeconfig, "drift", "--all-contexts");
        assertEquals(1, noState.code(), "fleet-b has no state: a drift check there would check nothing. " + noState.out());
        assertTrue(noState.out().contains("=== context fleet-b (exit 1)"), noState.out());

        Result drift = run(stack, kubeconfig, "drift", "--all-contexts", "--allow-empty-state");
        assertEquals(2, drift.code(), drift.out());
        assertTrue(drift.out().contains("=== context fleet-a (exit 2)"), drift.out());
        assertTrue(drift.out().contains("=== context fleet-b (exit 0)"), "fleet-b applied nothing, so nothing drifted: " + drift.out());
        assertTrue(drift.out().contains("Fleet: 2 clusters"), drift.out());

        Result usage = run(stack, kubeconfig, "apply", "--auto-approve", "--context", "fleet-a", "--context", "fleet-b");
        assertEquals(1, usage.code());
        assertTrue(usage.out().contains("runs on one cluster"), usage.out());
    }
}

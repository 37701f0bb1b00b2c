package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Namespace;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The audit's duplicate entry against the real API server: a second address for a namespace another resource of the
 * same stack made. Each namespace resource applies as its own field manager, so the mark on the namespace is owned by
 * {@code meshform/kubernetes.namespace.app}; read as {@code kubernetes.namespace.dup} it passed for no mark at all, and
 * the messages said the namespace was made by hand or by another tool. They now say whose mark it carries. A stack
 * that declares both addresses is refused before that, as two declarations of one object (DeclaredTwice).
 */
@LiveClusterTest
class NamespaceDuplicateEntryIT {
    @TempDir
    Path dir;

    private Path stack(String file, String ns, String... names) throws IOException {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: dup}
                resources:
                """);
        for (String name : names) {
            yaml.append("  - type: kubernetes.namespace\n    name: ").append(name).append("\n    spec: {name: ").append(ns)
                    .append("}\n");
        }
        Path stack = dir.resolve(file);
        Files.writeString(stack, yaml.toString());
        return stack;
    }

    @Test
    void aSecondAddressForANamespaceSaysWhoseMarkItCarries(ClusterContext cluster) throws IOException {
        String ns = "mf-dup-" + UUID.randomUUID().toString().substring(0, 8);
        Path app = stack("meshform.yaml", ns, "app");
        Path both = stack("both.yaml", ns, "app", "dup");
        assertEquals(0, LiveRun.of(cluster, app, "apply", "--auto-approve").code());
        try {
            // Declared twice (recorded once): refused as two declarations of one object, before the plan reads the
            // cluster or the state, naming both; with adopt: true too, which took it over while the mark passed for none.
            Path adopting = dir.resolve("adopt.yaml");
            Files.writeString(adopting, Files.readString(both).replace("    name: dup\n", "    name: dup\n    adopt: true\n"));
            for (Path declaredTwice : new Path[] {both, adopting}) {
                LiveRun declared = LiveRun.of(cluster, declaredTwice, "plan", "--state=" + dir.resolve("meshform.state.json"));
                assertEquals(1, declared.code(), declared.out());
                assertTrue(declared.out().contains(declaredTwice.getFileName() + ":8:5: error: `kubernetes.namespace.dup`"
                        + " declares the same object as `kubernetes.namespace.app`: Namespace " + ns), declared.out());
                assertTrue(declared.out().contains("`kubernetes.namespace.app` is declared at " + declaredTwice + ":5:5"),
                        declared.out());
                assertFalse(declared.out().contains("no meshform mark"), declared.out());
            }

            // The audit's edit: a second entry for the same namespace.
            Path stateFile = dir.resolve("meshform.state.json");
            JsonMapper json = JsonMapper.builder().build();
            ObjectNode state = (ObjectNode) json.readTree(stateFile.toFile());
            ((ArrayNode) state.get("resources")).addObject().put("address", "kubernetes.namespace.dup")
                    .put("type", "kubernetes.namespace").putObject("attributes").put("name", ns);
            Files.writeString(stateFile, json.writeValueAsString(state));

            String refusal = "`kubernetes.namespace.dup`: refusing to destroy Namespace " + ns + ": it carries this state's"
                    + " mark for another resource, `kubernetes.namespace.app`: two addresses for one object";
            String stateArg = "--state=" + stateFile;
            LiveRun destroyBoth = LiveRun.of(cluster, both, "plan", "--destroy", stateArg);
            assertEquals(1, destroyBoth.code(), destroyBoth.out());
            assertTrue(destroyBoth.out().contains("`kubernetes.namespace.dup` declares the same object as"), destroyBoth.out());
            for (LiveRun plan : new LiveRun[] {LiveRun.of(cluster, app, "plan", "--destroy", stateArg),
                    LiveRun.of(cluster, app, "plan", stateArg)}) {
                assertEquals(1, plan.code(), plan.out());
                assertTrue(plan.out().contains(refusal), plan.out());
                assertTrue(plan.out().contains("`meshform state rm kubernetes.namespace.dup` (the object stays in the"
                        + " cluster)"), plan.out());
                assertFalse(plan.out().contains("no meshform mark"), plan.out());
            }
            Namespace live = cluster.client().namespaces().withName(ns).get();
            assertTrue(live != null && live.getMetadata().getDeletionTimestamp() == null, "a refused plan deletes nothing");

            // What the message says to do: forget the duplicate; app's namespace is app's alone again.
            assertEquals(0, LiveRun.of(cluster, app, "state", "rm", "kubernetes.namespace.dup").code());
            LiveRun plan = LiveRun.of(cluster, app, "plan", "--detailed-exitcode");
            assertEquals(0, plan.code(), plan.out());
        } finally {
            LiveRun.of(cluster, app, "destroy", "--auto-approve");
        }
    }
}

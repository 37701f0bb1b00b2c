package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A saved plan whose unchanged ConfigMap was edited in the cluster after the plan (a kubectl patch) was refused as
 * "the file was edited after it was written, or something else the plan reads changed since ... against the same state
 * and managed objects": the file was not edited, and a managed object had changed. It is refused as stale, naming it.
 */
@LiveClusterTest
class SavedPlanStaleLiveIT {
    @TempDir
    Path dir;

    private LiveRun run(ClusterContext cluster, Path stack, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--no-analyze");
        return LiveRun.of(cluster, stack, all.toArray(String[]::new));
    }

    private static String configMap(String name, String ns) {
        return """
                  - type: kubernetes.manifest
                    name: %s
                    spec:
                      manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: %s, namespace: %s}, data: {a: b}}
                """.formatted(name, name, ns);
    }

    @Test
    void anUnchangedObjectEditedInTheClusterMakesTheSavedPlanStaleNotEdited(ClusterContext cluster) throws IOException {
        String ns = cluster.newNamespace();
        Path stack = dir.resolve("meshform.yaml");
        String head = "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: stale}\nresources:\n";
        Files.writeString(stack, head + configMap("cm1", ns));
        assertEquals(0, run(cluster, stack, "apply", "--auto-approve").code());
        Files.writeString(stack, head + configMap("cm1", ns) + configMap("cm2", ns));
        Path planFile = dir.resolve("p.plan");
        LiveRun plan = run(cluster, stack, "plan", "--out", planFile.toString());
        assertEquals(0, plan.code(), plan.out());

        cluster.client().configMaps().inNamespace(ns).withName("cm1").edit(cm -> {
            cm.getData().put("a", "by-hand");
            return cm;
        });
        LiveRun refused = run(cluster, stack, "apply", planFile.toString());
        assertEquals(1, refused.code(), refused.out());
        assertTrue(refused.out().contains("stale plan: " + planFile + " no longer matches what it was made for:\n"
                + "  - kubernetes.manifest.cm1: the live object changed (version "), refused.out());
        assertFalse(refused.out().contains("the file was edited"), refused.out());
        assertNull(cluster.client().configMaps().inNamespace(ns).withName("cm2").get(), "nothing was applied");
    }
}

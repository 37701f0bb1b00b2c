package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A saved plan whose ConfigMap was renamed inside a change's {@code after} (kube-system/kube-proxy-x): `show` displayed
 * the edited object, and `apply PLANFILE` applied the stack's default/cm1 without refusing, since only the actions
 * were checked. It is now refused, and the same plan unedited applies: planning again on the real API server gives the
 * saved plan back exactly.
 */
@LiveClusterTest
class SavedPlanEditIT {
    @TempDir
    Path dir;

    private LiveRun run(ClusterContext cluster, Path stack, String... args) {
        return args[0].equals("show") ? LiveRun.exactly(args) : LiveRun.of(cluster, stack, args);
    }

    @Test
    void aConfigMapRenamedInsideTheSavedPlanIsRefusedAndTheUneditedPlanApplies(ClusterContext cluster) throws IOException {
        String ns = cluster.newNamespace();
        Path stack = dir.resolve("meshform.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: saved}
                resources:
                  - type: kubernetes.manifest
                    name: cm1
                    spec:
                      manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: cm1, namespace: %s}, data: {a: b}}
                """.formatted(ns));
        Path planFile = dir.resolve("p.plan");
        Path edited = dir.resolve("edited.plan");
        LiveRun plan = run(cluster, stack, "plan", "--out", planFile.toString());
        assertEquals(0, plan.code(), plan.out());

        JsonMapper mapper = new JsonMapper();
        ObjectNode json = (ObjectNode) mapper.readTree(Files.readString(planFile));
        for (JsonNode c : json.get("resource_changes")) {
            for (String at : List.of("/after/manifest/metadata", "/change/after/manifest/metadata")) {
                ((ObjectNode) c.at(at)).put("name", "kube-proxy-x").put("namespace", "kube-system");
            }
        }
        Files.writeString(edited, mapper.writeValueAsString(json));
        assertTrue(run(cluster, stack, "show", edited.toString()).out().contains("kube-proxy-x"), "show displays the edit");

        LiveRun refused = run(cluster, stack, "apply", edited.toString());
        assertEquals(1, refused.code(), refused.out());
        assertTrue(refused.out().contains("refused plan: " + edited + " does not show what applying it would do now"), refused.out());
        assertTrue(refused.out().contains("`kubernetes.manifest.cm1`: the file's after, change differ from what planning again"
                + " gives"), refused.out());
        assertNull(cluster.client().configMaps().inNamespace(ns).withName("cm1").get(), "nothing applied");

        LiveRun applied = run(cluster, stack, "apply", planFile.toString());
        assertEquals(0, applied.code(), applied.out());
        assertTrue(applied.out().contains("Apply complete! Resources: 1 added"), applied.out());
        assertEquals("b", cluster.client().configMaps().inNamespace(ns).withName("cm1").get().getData().get("a"));
    }
}

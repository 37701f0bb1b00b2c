package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * The forged mark against the real API server: the lineage is readable on every object meshform applies, so whoever
 * may create an object the stack declares and has not created yet can server-side apply it as field manager "meshform"
 * with both annotations (here with an extra field under another manager, which meshform's apply would keep). The plan
 * used to say "will be recorded in state" and call it as declared; it now refuses it as not managed, because no apply
 * of this state wrote that it was creating it.
 */
@LiveClusterTest
class ForgedMarkIT {
    @TempDir
    Path dir;

    private LiveRun run(ClusterContext cluster, Path stack, String... args) {
        return LiveRun.of(cluster, stack, args);
    }

    @Test
    void anObjectWithACopiedMarkThatNoApplyCreatedIsRefusedNotRecorded(ClusterContext cluster) throws IOException {
        String ns = cluster.newNamespace();
        Path stack = dir.resolve("meshform.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: forged}
                resources:
                  - type: kubernetes.manifest
                    name: first
                    spec:
                      manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: first, namespace: %1$s}, data: {a: b}}
                  - type: kubernetes.manifest
                    name: second
                    spec:
                      manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: second, namespace: %1$s}, data: {a: b}}
                """.formatted(ns));
        assertEquals(0, run(cluster, stack, "apply", "--auto-approve", "--target", "kubernetes.manifest.first").code());
        String lineage = JsonMapper.builder().build().readTree(dir.resolve("meshform.state.json").toFile())
                .get("lineage").asString();

        // The forger: `kubectl apply --server-side --field-manager=meshform` of the declared object with the mark,
        // then a field of its own under another manager.
        ConfigMap forged = new ConfigMapBuilder().withNewMetadata().withName("second").withNamespace(ns)
                .addToAnnotations("meshform.io/lineage", lineage)
                .addToAnnotations("meshform.io/address", "kubernetes.manifest.second")
                .endMetadata().addToData("a", "b").build();
        cluster.client().resource(forged).fieldManager("meshform").forceConflicts().serverSideApply();
        cluster.client().resource(new ConfigMapBuilder().withNewMetadata().withName("second").withNamespace(ns).endMetadata()
                .addToData("extra", "kept").build()).fieldManager("intruder").serverSideApply();

        LiveRun plan = run(cluster, stack, "plan", "--detailed-exitcode");
        assertEquals(1, plan.code(), plan.out());
        assertFalse(plan.out().contains("will be recorded in state"), plan.out());
        assertTrue(plan.out().contains("`kubernetes.manifest.second`: ConfigMap " + ns + "/second exists, not managed by"
                + " meshform"), plan.out());
        assertTrue(plan.out().contains("no apply of this state wrote that it was creating it"), plan.out());
        assertTrue(plan.out().contains("`meshform import kubernetes.manifest.second " + ns + "/second`"), plan.out());
        LiveRun apply = run(cluster, stack, "apply", "--auto-approve");
        assertEquals(1, apply.code(), apply.out());
        assertEquals(List.of("kubernetes.manifest.first"), List.of(run(cluster, stack, "state", "list").out().trim()),
                "the forged object is not recorded");
    }
}

package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The audit's attack against the real API server: an entry added to a state file (the examples keep theirs in the
 * repository, where a pull request can edit it) for an object meshform never made does not get that object deleted,
 * neither by a plan that no longer declares it nor by destroy, nor by destroy --delete-adopted when the entry is
 * edited to read "adopted"; an imported object (import marks it) is still deleted on request.
 */
@LiveClusterTest
class ForeignDeleteIT {
    @TempDir
    Path dir;

    private LiveRun run(ClusterContext cluster, Path stack, String... args) {
        return LiveRun.of(cluster, stack, args);
    }

    private static void handMade(ClusterContext cluster, String ns, String name) {
        cluster.client().configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName(name)
                .endMetadata().addToData("keep", "me").build()).create();
    }

    private Path stack(String ns, String name) throws IOException {
        Path stack = dir.resolve("meshform.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: foreign}
                resources:
                  - type: kubernetes.manifest
                    name: cm
                    spec:
                      manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: %s, namespace: %s}, data: {a: b}}
                """.formatted(name, ns));
        return stack;
    }

    @Test
    void anEntryAddedToTheStateForAHandMadeObjectDoesNotDeleteIt(ClusterContext cluster) throws IOException {
        String ns = cluster.newNamespace();
        handMade(cluster, ns, "precious");
        Path stack = stack(ns, "mine");
        assertEquals(0, run(cluster, stack, "apply", "--auto-approve").code());

        // The pull request's edit: an entry like the applied one, for the hand-made ConfigMap.
        Path stateFile = dir.resolve("meshform.state.json");
        JsonMapper json = JsonMapper.builder().build();
        ObjectNode state = (ObjectNode) json.readTree(stateFile.toFile());
        ObjectNode entry = ((ObjectNode) state.get("resources").get(0)).deepCopy();
        entry.put("address", "kubernetes.manifest.old-cm");
        ((ObjectNode) entry.get("attributes").get("manifest").get("metadata")).put("name", "precious");
        ((ArrayNode) state.get("resources")).add(entry);
        Files.writeString(stateFile, json.writeValueAsString(state));

        LiveRun plan = run(cluster, stack, "plan");
        assertEquals(1, plan.code(), plan.out());
        assertTrue(plan.out().contains("`kubernetes.manifest.old-cm`: refusing to destroy ConfigMap " + ns + "/precious: it"
                + " carries no meshform mark, so this state did not make it"), plan.out());
        assertTrue(plan.out().contains("the state entry may have been edited"), plan.out());
        assertTrue(plan.out().contains("`meshform state rm kubernetes.manifest.old-cm`"), plan.out());
        LiveRun destroy = run(cluster, stack, "destroy", "--auto-approve");
        assertEquals(1, destroy.code(), destroy.out());
        assertTrue(destroy.out().contains("refusing to destroy ConfigMap " + ns + "/precious"), destroy.out());
        assertNotNull(cluster.client().configMaps().inNamespace(ns).withName("precious").get(), "the hand-made object stays");
        assertNotNull(cluster.client().configMaps().inNamespace(ns).withName("mine").get(), "a refused plan deletes nothing");

        assertEquals(0, run(cluster, stack, "state", "rm", "kubernetes.manifest.old-cm").code());
        assertEquals(0, run(cluster, stack, "destroy", "--auto-approve").code());
        assertNull(cluster.client().configMaps().inNamespace(ns).withName("mine").get(), "what this state made goes");
        assertNotNull(cluster.client().configMaps().inNamespace(ns).withName("precious").get());
    }

    /** import marks what it records; destroy --delete-adopted deletes it. */
    @Test
    void anImportedObjectIsDeletedByDestroyWithDeleteAdopted(ClusterContext cluster) throws IOException {
        String ns = cluster.newNamespace();
        handMade(cluster, ns, "imported");
        Path stack = stack(ns, "imported");
        LiveRun imported = run(cluster, stack, "import", "kubernetes.manifest.cm", ns + "/imported");
        assertEquals(0, imported.code(), imported.out());
        assertTrue(imported.out().contains("and marked it as this state's"), imported.out());
        var annotations = cluster.client().configMaps().inNamespace(ns).withName("imported").get().getMetadata().getAnnotations();
        assertEquals("kubernetes.manifest.cm", annotations.get("meshform.io/address"), annotations.toString());
        assertEquals(Map.of("keep", "me"), cluster.client().configMaps().inNamespace(ns).withName("imported").get().getData(),
                "import writes the mark and nothing else");
        LiveRun destroy = run(cluster, stack, "destroy", "--delete-adopted", "--auto-approve");
        assertEquals(0, destroy.code(), destroy.out());
        assertNull(cluster.client().configMaps().inNamespace(ns).withName("imported").get(), destroy.out());
    }

    /** The edit the import's mark guards against: an entry that reads "adopted" for a hand-made object. */
    @Test
    void anEntryEditedToReadAdoptedDoesNotDeleteAHandMadeObject(ClusterContext cluster) throws IOException {
        String ns = cluster.newNamespace();
        handMade(cluster, ns, "precious");
        Path stack = stack(ns, "precious");
        assertEquals(0, run(cluster, stack, "import", "kubernetes.manifest.cm", ns + "/precious").code());
        // Take the mark off, as if the entry had been written by hand (or by a meshform that did not mark imports).
        cluster.client().configMaps().inNamespace(ns).withName("precious").edit(c -> {
            c.getMetadata().getAnnotations().remove("meshform.io/lineage");
            c.getMetadata().getAnnotations().remove("meshform.io/address");
            return c;
        });
        LiveRun destroy = run(cluster, stack, "destroy", "--delete-adopted", "--auto-approve");
        assertEquals(1, destroy.code(), destroy.out());
        assertTrue(destroy.out().contains("refusing to destroy ConfigMap " + ns + "/precious: it carries no meshform mark"),
                destroy.out());
        assertTrue(destroy.out().contains("import it again to mark it"), destroy.out());
        assertNotNull(cluster.client().configMaps().inNamespace(ns).withName("precious").get(), "the hand-made object stays");
    }
}

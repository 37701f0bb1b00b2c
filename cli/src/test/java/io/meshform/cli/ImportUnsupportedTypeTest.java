package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meshform import kubernetes.labels.x cortex} said "no object `cortex` for kubernetes.labels in the cluster" of
 * a namespace that exists: the type imports nothing. The refusal names the type, before any cluster is asked.
 */
class ImportUnsupportedTypeTest {
    @TempDir
    Path dir;

    @Test
    void aTypeThatCannotImportIsRefusedByNameNotAsAMissingObject() throws IOException {
        Path stack = Files.writeString(dir.resolve("s.yaml"), """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: s}
                resources:
                  - type: kubernetes.labels
                    name: cortex
                    spec: {kind: Namespace, name: cortex, labels: {team: platform}}
                """);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new Terminal(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false),
                "import", "-f", stack.toString(), "--kubeconfig", dir.resolve("no-cluster").toString(),
                "kubernetes.labels.cortex", "cortex");
        String said = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, code, said);
        assertTrue(said.contains("`kubernetes.labels` resources cannot be imported"), said);
        assertTrue(said.contains("kubernetes.manifest, kubernetes.namespace"), said);
        assertFalse(said.contains("no object"), said);
        assertFalse(said.contains("kubeconfig"), "refused before the cluster is asked: " + said);
    }
}

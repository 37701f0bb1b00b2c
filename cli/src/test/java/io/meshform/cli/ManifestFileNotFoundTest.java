package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * A manifest's {@code file:} that cannot be read at all (mistyped, a directory) is said where the stack names it
 * (file:line:column, the resource, the name as written), as a missing import is: the bare "nosuch.yaml: error: file
 * not found" named neither the stack's line nor the resource, so a newcomer with several manifests had to search.
 */
class ManifestFileNotFoundTest {
    @TempDir
    Path dir;

    private String validate(String file) throws IOException {
        Path stack = dir.resolve("meshform.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: demo}
                resources:
                  - type: kubernetes.manifest
                    name: settings
                    spec:
                      file: %s
                """.formatted(file));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
                StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false),
                "validate", "-f", stack.toString(), "--no-color");
        assertEquals(1, code, out + "\n" + err);
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aMissingFileIsAnErrorAtTheStacksLine() throws IOException {
        String err = validate("setings.yaml");
        assertTrue(err.contains(dir.resolve("meshform.yaml") + ":8:7: error: kubernetes.manifest.settings: file"
                + " `setings.yaml` not found"), err);
        assertTrue(err.contains("looked for " + dir.resolve("setings.yaml")), err);
    }

    @Test
    void aDirectoryIsAnErrorAtTheStacksLineToo() throws IOException {
        Files.createDirectory(dir.resolve("manifests"));
        String err = validate("manifests");
        assertTrue(err.contains(":8:7: error: kubernetes.manifest.settings: file `manifests` is a directory"), err);
    }
}

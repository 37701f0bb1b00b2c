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
 * An apply whose steps were recorded in the local state's journal, but whose final whole write of the state fails
 * (a full disk; here the backup's place is taken by a directory): the apply's own summary is still printed, with
 * the state error after it, not the error alone.
 */
class StateNotWrittenTest {
    @TempDir
    Path dir;

    private String[] run(String mode) throws IOException {
        Path stack = dir.resolve("meshform.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: demo}
                resources:
                  - {type: fake.thing, name: mesh, spec: {mode: %s}}
                  - {type: fake.thing, name: cortex, spec: {mode: PERMISSIVE}}
                """.formatted(mode));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false),
                "apply", "--auto-approve", "-f", stack.toString(),
                "--kubeconfig", dir.resolve("c" + FileCluster.SUFFIX).toString());
        return new String[] {Integer.toString(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void theApplySummaryIsPrintedBeforeTheStateError() throws IOException {
        String[] first = run("STRICT");
        assertEquals("0", first[0], first[2]);
        Path backup = dir.resolve("meshform.state.json.backup");
        Files.delete(backup);
        Files.createDirectories(backup.resolve("blocker"));
        String[] second = run("PERMISSIVE");
        assertEquals("1", second[0]);
        String err = second[2];
        assertTrue(err.contains("Apply finished in the cluster, but the state could not be written whole. Resources: "
                + "0 added, 1 changed, 0 destroyed."), err);  // mesh's mode changed in place; cortex is as applied
        assertTrue(err.contains("could not write state file"), err);
        assertTrue(err.contains("recorded in the state journal"), err);
        assertTrue(err.indexOf("Resources:") < err.indexOf("could not write state file"), err);
    }
}

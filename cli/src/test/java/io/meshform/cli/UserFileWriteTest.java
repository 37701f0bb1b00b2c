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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file the user names for output (plan --out, drift --output) that cannot be written is reported in the user's
 * words: the path they gave and why, never the exception's class or the hidden temp file beside it.
 */
class UserFileWriteTest {
    @TempDir
    Path dir;
    Path stack;
    Path cluster;

    @BeforeEach
    void writeStack() throws IOException {
        stack = dir.resolve("meshform.yaml");
        cluster = dir.resolve("c" + FileCluster.SUFFIX);
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: demo}
                resources:
                  - type: fake.thing
                    name: mesh
                    spec: {mode: STRICT}
                """);
    }

    private String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-f", stack.toString(), "--kubeconfig", cluster.toString()));
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
                StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false), all.toArray(String[]::new));
        return new String[] {String.valueOf(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    private static void assertPlain(String err) {
        assertFalse(err.contains("Exception"), err);
        assertFalse(err.contains(".tmp-"), err);
    }

    @Test
    void planOutIntoAMissingDirectorySaysSo() {
        Path missing = dir.resolve("nonexistentdir");
        String[] r = run("plan", "--out", missing.resolve("x.plan").toString());
        assertEquals("1", r[0], r[2]);
        assertTrue(r[2].contains("cannot write " + missing.resolve("x.plan") + ": directory " + missing + " does not exist"),
                r[2]);
        assertPlain(r[2]);
    }

    @Test
    void planOutUnderAFileSaysItIsNotADirectory() throws IOException {
        Path file = Files.writeString(dir.resolve("notes.txt"), "x");
        String[] r = run("plan", "--out", file.resolve("x.plan").toString());
        assertEquals("1", r[0], r[2]);
        assertTrue(r[2].contains(file + " is not a directory"), r[2]);
        assertPlain(r[2]);
    }

    @Test
    void driftOutputIntoAMissingDirectorySaysSo() {
        assertEquals("0", run("apply", "--auto-approve")[0]);
        Path missing = dir.resolve("reports");
        String[] r = run("drift", "--output", missing.resolve("drift.json").toString(), "--format", "json");
        assertEquals("1", r[0], r[2]);
        assertTrue(r[2].contains("directory " + missing + " does not exist"), r[2]);
        assertPlain(r[2]);
    }
}

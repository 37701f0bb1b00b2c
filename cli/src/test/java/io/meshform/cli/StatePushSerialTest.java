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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code state push} of a file with the current serial: two people who pulled serial 3 and each edited it must not
 * both push, the second silently dropping the first's edit (Terraform refuses the same serial with other content).
 */
class StatePushSerialTest {
    private static final String LINEAGE = "6c1c2d0e-8a1b-4c3d-9e2f-0a1b2c3d4e5f";

    @TempDir
    Path dir;
    Path stack;
    Path state;

    record Result(int code, String out, String err) {
    }

    @BeforeEach
    void writeStackAndState() throws IOException {
        stack = dir.resolve("s.yaml");
        state = dir.resolve("meshform.state.json");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: s}
                resources:
                  - type: kubernetes.namespace
                    name: a
                    spec: {name: a}
                """);
        Files.writeString(state, stateJson(3, "a", "b"));
    }

    private static String stateJson(long serial, String... names) {
        StringBuilder resources = new StringBuilder();
        for (String n : names) {
            resources.append(resources.isEmpty() ? "" : ", ").append("""
                    {"address": "kubernetes.namespace.%1$s", "type": "kubernetes.namespace", "attributes": {"name": "%1$s"},
                     "metadata": {}}""".formatted(n));
        }
        return """
                {"format_version": 4, "serial": %d, "lineage": "%s", "stack": "s", "meshform_version": "0.1.0",
                 "resources": [%s]}""".formatted(serial, LINEAGE, resources);
    }

    private Result push(String file, String... more) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("state", "push", "-f", stack.toString()));
        all.addAll(List.of(more));
        all.add(file);
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false),
                all.toArray(String[]::new));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path pulled(String name, String json) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, json);
        return file;
    }

    @Test
    void theSameSerialWithOtherRecordsIsRefusedUnlessForced() throws IOException {
        Path edited = pulled("edited.json", stateJson(3, "a"));
        Result refused = push(edited.toString());
        assertEquals(1, refused.code(), refused.out() + refused.err());
        assertTrue(refused.err().contains("its serial 3 is the current state's, but it records other resources or values"),
                refused.err());
        assertTrue(refused.err().contains("raise its \"serial\" above 3"), refused.err());
        assertTrue(Files.readString(state).contains("kubernetes.namespace.b"), "nothing was pushed");

        Result forced = push(edited.toString(), "--force");
        assertEquals(0, forced.code(), forced.err());
        assertTrue(!Files.readString(state).contains("kubernetes.namespace.b"), "the forced push replaced the state");
    }

    @Test
    void theSameSerialWithTheSameRecordsAndAHigherSerialStillPush() throws IOException {
        // pull, edit, raise the serial: the push of a deliberate edit
        Result same = push(pulled("same.json", stateJson(3, "a", "b")).toString());
        assertEquals(0, same.code(), same.err());
        Result newer = push(pulled("newer.json", stateJson(9, "a")).toString());
        assertEquals(0, newer.code(), newer.err());
    }
}

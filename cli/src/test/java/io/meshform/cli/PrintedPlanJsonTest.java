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
 * {@code apply PLANFILE} with what {@code plan --json} printed: it lacks each change's private data, and was refused
 * as an edited plan ("the file's private differs" for every resource), though nobody edited it.
 */
class PrintedPlanJsonTest {
    @TempDir
    Path dir;
    Path stack;
    Path cluster;

    record Result(int code, String out, String err) {
    }

    @BeforeEach
    void writeStack() throws IOException {
        stack = dir.resolve("meshform.yaml");
        cluster = dir.resolve("c" + FileCluster.SUFFIX);
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: demo}
                resources:
                  - {type: fake.thing, name: mesh, spec: {mode: STRICT}}
                """);
    }

    private Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-f", stack.toString(), "--kubeconfig", cluster.toString()));
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false),
                all.toArray(String[]::new));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void thePrintedJsonIsRefusedAsNoSavedPlanAndTheSavedOneApplies() throws IOException {
        Result json = run("plan", "--json");
        assertEquals(0, json.code(), json.err());
        Path printed = dir.resolve("plan.json");
        Files.writeString(printed, json.out());

        Result refused = run("apply", printed.toString());
        assertEquals(1, refused.code(), refused.out());
        assertTrue(refused.err().contains(printed + " is the plan JSON that `plan --json` or `show --json` prints, not a"
                + " saved plan"), refused.err());
        assertTrue(refused.err().contains("--out FILE"), refused.err());
        assertFalse(refused.err().contains("edited"), "nobody edited it: " + refused.err());
        assertFalse(Files.exists(cluster) && Files.readString(cluster).contains("STRICT"), "nothing applied");

        Path saved = dir.resolve("saved.plan");
        assertEquals(0, run("plan", "--out", saved.toString()).code());
        Result applied = run("apply", saved.toString());
        assertEquals(0, applied.code(), applied.err());
        assertTrue(applied.out().contains("Apply complete!"), applied.out());
    }
}

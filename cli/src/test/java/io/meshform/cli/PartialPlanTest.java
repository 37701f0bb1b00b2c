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
 * A plan made with --target or --exclude says which resources it left out, in every form a reviewer reads (text,
 * the saved plan's Markdown), as Terraform's "Resource targeting is in effect" does: otherwise "Plan: 0 to add, 1 to
 * change" of a partial plan reads as the whole change.
 */
class PartialPlanTest {
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
        writeStack("STRICT");
    }

    /** A chain, so that apply writes the fake cluster's one file a step at a time. */
    private void writeStack(String mode) throws IOException {
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: demo}
                resources:
                  - type: fake.thing
                    name: mesh
                    spec: {mode: %1$s}
                  - type: fake.thing
                    name: cortex
                    dependsOn: [fake.thing.mesh]
                    spec: {mode: %1$s}
                  - type: fake.thing
                    name: mongo
                    dependsOn: [fake.thing.cortex]
                    spec: {mode: %1$s}
                """.formatted(mode));
    }

    private Result run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-f", stack.toString(), "--kubeconfig", cluster.toString()));
        return runAsGiven(all);
    }

    private static Result runAsGiven(List<String> all) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false),
                all.toArray(String[]::new));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aTargetedPlanNamesWhatItLeftOutInTextAndInTheSavedPlansMarkdown() throws IOException {
        assertEquals(0, run("apply", "--auto-approve").code());
        writeStack("PERMISSIVE");
        Result whole = run("plan");
        assertFalse(whole.out().contains("partial plan"), whole.out());

        Path planFile = dir.resolve("cortex.plan");
        Result targeted = run("plan", "--target", "fake.thing.cortex", "--strict", "--out", planFile.toString());
        assertEquals(0, targeted.code(), "a note, not a warning that --strict would refuse: " + targeted.err());
        assertTrue(targeted.out().contains("info: partial plan (--target fake.thing.cortex): 1 of 3 resources were not"
                + " planned; changes to them are neither shown nor made"), targeted.out());
        assertTrue(targeted.out().contains("not planned: fake.thing.mongo\n"), targeted.out());
        assertTrue(targeted.out().contains("Plan: 0 to add, 2 to change, 0 to destroy."), targeted.out());
        String md = runAsGiven(List.of("show", "--markdown", planFile.toString())).out();
        assertTrue(md.contains("partial plan (--target fake.thing.cortex): 1 of 3 resources were not planned"), md);
    }

    @Test
    void anExcludedPlanNamesWhatItLeftOut() throws IOException {
        assertEquals(0, run("apply", "--auto-approve").code());
        writeStack("PERMISSIVE");
        Result excluded = run("plan", "--exclude", "fake.thing.cortex");
        assertEquals(0, excluded.code(), excluded.err());
        assertTrue(excluded.out().contains("info: partial plan (--exclude fake.thing.cortex): 2 of 3 resources were not"
                + " planned"), excluded.out());
        assertTrue(excluded.out().contains("not planned: fake.thing.cortex, fake.thing.mongo\n"), excluded.out());
    }
}

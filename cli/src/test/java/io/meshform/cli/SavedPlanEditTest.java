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
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A saved plan applies what `show` displays of it: an edit of a change's content (its {@code after}, a detail line),
 * which keeps every binding (digest, serial, live versions) and every action valid, is refused, and plans saved with
 * --target, --replace or --destroy still apply. On the file-backed fake cluster ({@link FileCluster}).
 */
class SavedPlanEditTest {
    @TempDir
    Path dir;
    Path stack;
    Path cluster;
    Path planFile;
    private final JsonMapper mapper = new JsonMapper();

    record Result(int code, String out, String err) {
    }

    @BeforeEach
    void appliedThenChanged() throws IOException {
        stack = dir.resolve("meshform.yaml");
        cluster = dir.resolve("c" + FileCluster.SUFFIX);
        planFile = dir.resolve("p.plan");
        writeStack("STRICT");
        assertEquals(0, run("apply", "--auto-approve").code());
        writeStack("PERMISSIVE");
    }

    private void writeStack(String mode) throws IOException {
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: demo}
                resources:
                  - type: fake.thing
                    name: mesh
                    spec: {mode: %s}
                  - type: fake.thing
                    name: cortex
                    dependsOn: [fake.thing.mesh]
                    spec: {mode: PERMISSIVE}
                """.formatted(mode));
    }

    private Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        if (!args[0].equals("show")) {
            all.addAll(List.of("-f", stack.toString(), "--kubeconfig", cluster.toString()));
        }
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(new byte[0]), Map.of(), false), all.toArray(String[]::new));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Edits the saved change of {@code address} in place. */
    private void edit(String address, Consumer<ObjectNode> how) throws IOException {
        ObjectNode json = (ObjectNode) mapper.readTree(Files.readString(planFile));
        for (JsonNode c : json.get("resource_changes")) {
            if (c.get("address").asString().equals(address)) {
                how.accept((ObjectNode) c);
            }
        }
        Files.writeString(planFile, mapper.writeValueAsString(json));
    }

    private void refusedWithNothingApplied(String expected) throws IOException {
        String state = Files.readString(dir.resolve("meshform.state.json"));
        String objects = Files.readString(cluster);
        Result apply = run("apply", planFile.toString());
        assertEquals(ExitCodes.ERROR, apply.code(), apply.out() + apply.err());
        assertTrue(apply.err().contains("refused plan: " + planFile + " does not show what applying it would do now"), apply.err());
        assertTrue(apply.err().contains(expected), apply.err());
        assertTrue(apply.err().contains("Nothing was applied. Run `meshform plan -f " + stack + " --kubeconfig " + cluster
                + " --out " + planFile + "` again"), apply.err());
        assertEquals(state, Files.readString(dir.resolve("meshform.state.json")), "the refused apply wrote nothing");
        assertEquals(objects, Files.readString(cluster), "and changed nothing in the cluster");
    }

    @Test
    void anEditedAfterIsShownAndThenRefused() throws IOException {
        assertEquals(0, run("plan", "--out", planFile.toString()).code());
        edit("fake.thing.mesh", c -> {
            ((ObjectNode) c.get("after")).put("mode", "DISABLED");
            ((ObjectNode) c.at("/change/after")).put("mode", "DISABLED");
        });
        assertTrue(run("show", "--json", planFile.toString()).out().contains("DISABLED"), "show displays the edit");
        refusedWithNothingApplied("`fake.thing.mesh`: the file's after, change differ from what planning again gives");
    }

    @Test
    void anEditedDetailLineIsRefused() throws IOException {
        assertEquals(0, run("plan", "--out", planFile.toString()).code());
        edit("fake.thing.mesh", c -> c.putArray("details").add("  (no visible change)"));
        refusedWithNothingApplied("`fake.thing.mesh`: the file's details differ from what planning again gives"
                + "\n      in the file only: (no visible change)");
    }

    @Test
    void aRemovedChangeIsRefused() throws IOException {
        assertEquals(0, run("plan", "--out", planFile.toString()).code());
        ObjectNode json = (ObjectNode) mapper.readTree(Files.readString(planFile));
        ((tools.jackson.databind.node.ArrayNode) json.get("resource_changes")).remove(0);
        Files.writeString(planFile, mapper.writeValueAsString(json));
        refusedWithNothingApplied("planning again lists a change the file does not");
    }

    @Test
    void unEditedPlansApplyWhateverOptionsMadeThem() throws IOException {
        Result target = run("plan", "--target", "fake.thing.mesh", "--out", planFile.toString());
        assertEquals(0, target.code(), target.err());
        Result applied = run("apply", planFile.toString());
        assertEquals(0, applied.code(), applied.out() + applied.err());
        assertTrue(applied.out().contains("Apply complete! Resources: 0 added, 1 changed, 0 destroyed."), applied.out());

        assertEquals(0, run("plan", "--replace", "fake.thing.cortex", "--out", planFile.toString()).code());
        Result replaced = run("apply", planFile.toString());
        assertEquals(0, replaced.code(), replaced.out() + replaced.err());
        assertTrue(replaced.out().contains("1 added, 0 changed, 1 destroyed"), replaced.out());

        assertEquals(0, run("plan", "--destroy", "--out", planFile.toString()).code());
        Result destroyed = run("apply", planFile.toString());
        assertEquals(0, destroyed.code(), destroyed.out() + destroyed.err());
        assertTrue(destroyed.out().contains("0 added, 0 changed, 2 destroyed"), destroyed.out());
        assertFalse(destroyed.err().contains("refused"), destroyed.err());
    }
}

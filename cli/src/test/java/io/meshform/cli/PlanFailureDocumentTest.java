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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code plan --json > plan.json} (and a pull-request comment made from {@code plan --markdown}) held nothing when the
 * plan failed: the error went to standard error only. The machine formats now carry it.
 */
class PlanFailureDocumentTest {
    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {
    }

    private Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
                StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false), args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path stack(String type) throws IOException {
        return Files.writeString(dir.resolve("meshform.yaml"), """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: demo}
                resources:
                  - type: %s
                    name: mesh
                    spec: {mode: STRICT}
                """.formatted(type));
    }

    @Test
    void aPlanThatFailsPrintsItsErrorsAsJsonWithTheirPlace() throws IOException {
        Path stack = stack("fake.thng");
        Result r = run("plan", "--json", "-f", stack.toString(), "--kubeconfig", dir.resolve("c" + FileCluster.SUFFIX).toString());
        assertEquals(1, r.code(), r.err());
        JsonNode doc = JsonMapper.builder().build().readTree(r.out());
        assertTrue(doc.path("errored").asBoolean(), r.out());
        assertTrue(doc.get("changes_present").isNull(), r.out());
        JsonNode d = doc.path("diagnostics").get(0);
        assertEquals("error", d.path("severity").asString());
        assertTrue(d.path("summary").asString().contains("unknown resource type `fake.thng`"), r.out());
        assertEquals(5, d.path("range").path("line").asInt(), r.out());
        assertTrue(r.err().contains("unknown resource type `fake.thng`"), "standard error keeps the text: " + r.err());
    }

    @Test
    void aPlanThatFailsOutsideTheStackSaysSoInJsonAndMarkdown() throws IOException {
        Path stack = stack("fake.thing");
        Path state = Files.writeString(dir.resolve("s.json"), "{not a state");
        Result json = run("plan", "--json", "-f", stack.toString(), "--state", state.toString(), "--kubeconfig",
                dir.resolve("c" + FileCluster.SUFFIX).toString());
        assertEquals(1, json.code(), json.err());
        JsonNode doc = JsonMapper.builder().build().readTree(json.out());
        assertTrue(doc.path("errored").asBoolean(), json.out());
        assertTrue(doc.path("diagnostics").get(0).path("summary").asString().contains("s.json"), json.out());

        Result md = run("plan", "--markdown", "-f", stack.toString(), "--state", state.toString(), "--kubeconfig",
                dir.resolve("c" + FileCluster.SUFFIX).toString());
        assertEquals(1, md.code(), md.err());
        // Not "nothing was compared": a plan that fails at one resource has read and compared the others, and run checks.
        assertTrue(md.out().startsWith("### meshform plan failed\n\nNo plan was made, and nothing was changed."),
                md.out());
        assertTrue(md.out().contains("s.json"), md.out());
    }

    @Test
    void aPlanPrintedBeforeItsSaveFailedStaysTheOnlyDocument() throws IOException {
        Path stack = Files.writeString(dir.resolve("meshform.yaml"), """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: demo}
                resources:
                  - {type: fake.thing, name: a, spec: {user: x}}
                """);
        Files.writeString(dir.resolve("taken"), "a file, not a directory");
        Result r = run("plan", "--json", "-f", stack.toString(), "--state", dir.resolve("s.json").toString(),
                "--out", dir.resolve("taken/plan.json").toString(), "--kubeconfig", dir.resolve("c" + FileCluster.SUFFIX).toString());
        assertEquals(1, r.code(), r.err());
        // One JSON value on standard output, the plan: a second (the failure document) made plan.json unreadable.
        java.util.List<JsonNode> values = JsonMapper.builder().build().readerFor(JsonNode.class).<JsonNode>readValues(r.out()).readAll();
        assertEquals(1, values.size(), r.out());
        assertTrue(values.get(0).has("resource_changes") || values.get(0).has("summary"), r.out());
        assertTrue(r.err().contains("taken"), r.err());
    }
}

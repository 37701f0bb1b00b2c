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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stack's own warnings (here a variable declared but never used) are in every output of a plan: they were printed
 * on standard error as the stack loaded, and `plan --json`, `plan --markdown` and the saved plan (`show`) left them out,
 * so a pipeline that reads the JSON or posts the Markdown never saw them; `validate --json` had them. The text plan
 * prints them once.
 */
class StackWarningsInPlanOutputsTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    private Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
                StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false), args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theStacksWarningsAreInTheJsonTheMarkdownAndTheSavedPlan() throws IOException {
        Path stack = Files.writeString(dir.resolve("meshform.yaml"), """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: demo}
                variables:
                  unused: {default: x}
                resources:
                  - type: fake.thing
                    name: db
                    spec: {user: cortex}
                """);
        String cluster = dir.resolve("c" + FileCluster.SUFFIX).toString();
        List<String> common = List.of("-f", stack.toString(), "--kubeconfig", cluster, "--no-color");
        String warning = "variable `unused` is declared but never used";

        Result json = run(args("plan", common, "--json"));
        assertEquals(0, json.code(), json.out() + json.err());
        assertTrue(json.out().contains("\"summary\" : \"" + warning + "\"") || json.out().contains("\"summary\": \"" + warning + "\""),
                json.out());
        Result markdown = run(args("plan", common, "--markdown"));
        assertTrue(markdown.out().contains(warning), markdown.out());

        Result text = run(args("plan", common));
        assertEquals(1, (text.out() + text.err()).split(java.util.regex.Pattern.quote(warning), -1).length - 1,
                "printed once: " + text.out() + text.err());

        Path saved = dir.resolve("p.plan");
        assertEquals(0, run(args("plan", common, "--out", saved.toString())).code());
        Result show = run("show", "--json", saved.toString());
        assertTrue(show.out().contains(warning), show.out());
    }

    private static String[] args(String command, List<String> common, String... more) {
        List<String> all = new java.util.ArrayList<>(List.of(command));
        all.addAll(common);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }
}

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * validate prints a file's diagnostics by line and column, in text and JSON, whichever check found them: the mesh
 * checks run one after another (the root-namespace selector before the conflicting PeerAuthentications), so the
 * later line came first.
 */
class DiagnosticOrderTest {
    @TempDir
    Path dir;

    private static final String STACK = """
            apiVersion: meshform.io/v1alpha1
            kind: Stack
            metadata: {name: demo}
            resources:
              - type: istio.peerAuthentication
                name: c
                spec: {namespace: foo, name: c, mtls: {mode: STRICT}}
              - type: istio.peerAuthentication
                name: d
                spec: {namespace: foo, name: d, mtls: {mode: DISABLE}}
              - type: istio.peerAuthentication
                name: b
                spec:
                  namespace: istio-system
                  name: other
                  selector: {matchLabels: {app: x}}
                  mtls: {mode: PERMISSIVE}
            """;

    private String[] run(String... more) throws IOException {
        Path stack = dir.resolve("meshform.yaml");
        Files.writeString(stack, STACK);
        List<String> args = new ArrayList<>(List.of("validate", "-f", stack.toString(), "--no-color",
                "--istioctl", dir.resolve("no-istioctl").toString()));
        args.addAll(List.of(more));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
                StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false), args.toArray(String[]::new));
        return new String[] {out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void textListsTheFileByLine() throws IOException {
        String err = run()[1];
        List<Integer> lines = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(dir.resolve("meshform.yaml").toString()) + ":(\\d+):\\d+: ")
                .matcher(err);
        while (m.find()) {
            lines.add(Integer.parseInt(m.group(1)));
        }
        assertTrue(lines.size() >= 2, err);
        assertEquals(lines.stream().sorted().toList(), lines, err);
    }

    @Test
    void jsonListsTheFileByLine() throws IOException {
        JsonNode diagnostics = JsonMapper.builder().build().readTree(run("--json")[0]).path("diagnostics");
        List<Integer> lines = new ArrayList<>();
        for (JsonNode d : diagnostics) {
            if (d.path("range").has("start")) {
                lines.add(d.path("range").path("start").path("line").asInt());
            }
        }
        assertTrue(lines.size() >= 2, diagnostics.toString());
        assertEquals(lines.stream().sorted().toList(), lines, diagnostics.toString());
    }
}

package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The README's shape of a fleet's one JSON document names every field it has: it gave
 * {@code {"fleet": [{"context", "exit_code", "result"}], "exit_code"}}, while the document also has {@code format_version},
 * and a member that failed has {@code error} (its error, as text) in place of {@code result}. Two contexts whose API
 * servers do not answer (a closed port) make both members fail, with no cluster needed.
 */
class FleetJsonDocsTest {
    @TempDir
    Path dir;

    @Test
    void theReadmeNamesEveryFieldOfAFleetsJson() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                current-context: a
                clusters: [{name: c, cluster: {server: "https://127.0.0.1:%d"}}]
                contexts: [{name: a, context: {cluster: c, user: u}}, {name: b, context: {cluster: c, user: u}}]
                users: [{name: u, user: {token: t}}]
                """.formatted(closed));
        Path stack = Files.writeString(dir.resolve("meshform.yaml"), "apiVersion: meshform.io/v1alpha1\nkind: Stack\n"
                + "metadata: {name: s}\nresources:\n  - {type: kubernetes.namespace, name: n, spec: {name: n}}\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(
                new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(),
                false), "plan", "--json", "-f", stack.toString(), "--kubeconfig", kubeconfig.toString(), "--context", "a",
                "--context", "b", "--no-analyze");
        assertEquals(1, code, out.toString(StandardCharsets.UTF_8));
        JsonNode json = JsonMapper.builder().build().readTree(out.toString(StandardCharsets.UTF_8));
        Set<String> fields = new TreeSet<>(json.propertyNames());
        json.get("fleet").forEach(m -> fields.addAll(m.propertyNames()));
        fields.add("result");  // a member that did not fail: its own document
        assertTrue(json.at("/fleet/0/error").asString().contains("cannot reach the Kubernetes API server"), json.toString());
        String readme = String.join(" ", Files.readString(Path.of("..", "README.md")).split("\\s+"));
        String fleet = readme.substring(readme.indexOf("**Fleets**"), readme.indexOf("**Exit codes**"));
        for (String f : fields) {
            assertTrue(fleet.contains("\"" + f + "\""), "README's Fleets paragraph does not name `" + f + "`: " + fleet);
        }
    }
}

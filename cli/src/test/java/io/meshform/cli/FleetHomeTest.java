package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --all-contexts} without {@code --kubeconfig} or $KUBECONFIG lists the contexts of $HOME/.kube/config, as a
 * single-context run reads that file (kubectl's default), not the JVM's user.home.
 */
class FleetHomeTest {
    @TempDir
    Path dir;

    @Test
    void allContextsReadsTheKubeconfigUnderHomeNotUserHome() throws Exception {
        Path home = dir.resolve("h");
        Files.createDirectories(home.resolve(".kube"));
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Files.writeString(home.resolve(".kube/config"), """
                apiVersion: v1
                kind: Config
                current-context: home-a
                clusters: [{name: c, cluster: {server: "https://127.0.0.1:%d"}}]
                contexts: [{name: home-a, context: {cluster: c, user: u}}, {name: home-b, context: {cluster: c, user: u}}]
                users: [{name: u, user: {token: t}}]
                """.formatted(closedPort));
        Path stack = Files.writeString(dir.resolve("meshform.yaml"), "apiVersion: meshform.io/v1alpha1\nkind: Stack\n"
                + "metadata: {name: t}\nresources:\n  - {type: kubernetes.namespace, name: n, spec: {name: cortex}}\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String userHome = System.getProperty("user.home");
        assertTrue(!Path.of(userHome).equals(home), "the JVM's user.home differs from $HOME here");
        Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(new byte[0]), Map.of("HOME", home.toString()), false),
                "plan", "-f", stack.toString(), "--all-contexts", "--no-analyze");
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("home-a") && text.contains("home-b"), text);
    }
}

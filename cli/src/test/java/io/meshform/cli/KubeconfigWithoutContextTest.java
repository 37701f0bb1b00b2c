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
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --kubeconfig} naming a file that selects no context (the stack given by mistake, or a kubeconfig without
 * current-context) is said as such, not as "cannot reach the Kubernetes API server (context (none) at
 * https://kubernetes.default.svc/)", a host the user never named. Runs outside a pod (KUBERNETES_SERVICE_HOST unset).
 */
class KubeconfigWithoutContextTest {
    @TempDir
    Path dir;

    private String plan(Path stack, Path kubeconfig) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(out, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false),
                "plan", "-f", stack.toString(), "--kubeconfig", kubeconfig.toString(), "--state",
                dir.resolve("s.json").toString(), "--no-analyze");
        String said = out.toString(StandardCharsets.UTF_8);
        assertEquals(1, code, said);
        assertFalse(said.contains("kubernetes.default.svc"), said);
        return said;
    }

    @Test
    void aFileThatSelectsNoContextIsNamedAsSuch() throws IOException {
        Path stack = Files.writeString(dir.resolve("s.yaml"), "apiVersion: meshform.io/v1alpha1\nkind: Stack\n"
                + "metadata: {name: s}\nresources:\n  - {type: kubernetes.namespace, name: n, spec: {name: cortex}}\n");
        String notAKubeconfig = plan(stack, stack);
        assertTrue(notAKubeconfig.contains("selects no context") && notAKubeconfig.contains("defines no contexts either"),
                notAKubeconfig);

        Path noCurrent = Files.writeString(dir.resolve("kc"), """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
                contexts: [{name: b, context: {cluster: c, user: u}}, {name: a, context: {cluster: c, user: u}}]
                users: [{name: u, user: {token: t}}]
                """);
        String withContexts = plan(stack, noCurrent);
        assertTrue(withContexts.contains("pass --context NAME (it defines: a, b)"), withContexts);
    }
}

package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.render.Style;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Errors a user can act on: the API server's reason and a hint, and no kubeconfig said as such. */
class ErrorMessagesTest {
    @TempDir
    Path dir;

    @Test
    void aKubernetesClientErrorCarriesTheServersReasonAndAHint() {
        KubernetesClientException forbidden = new KubernetesClientException(new StatusBuilder().withCode(403)
                .withReason("Forbidden").withMessage("secrets \"meshform-state-production\" is forbidden: User \"ci\" cannot get "
                        + "resource \"secrets\" in the namespace \"cortex-ops\"").build());
        String text = Main.describe(new RuntimeException("wrapped", forbidden), Style.plain());
        assertTrue(text.contains("the Kubernetes API server refused the request (HTTP 403): secrets \"meshform-state-production\" is forbidden"), text);
        assertTrue(text.contains("(reason: Forbidden)"), text);
        assertTrue(text.contains("hint: the credentials of this kubeconfig context may not allow it"), text);
        assertFalse(text.contains("KubernetesClientException"), "never the bare class name: " + text);

        KubernetesClientException down = new KubernetesClientException("Failed to connect", new java.net.ConnectException("Connection refused"));
        String unreachable = Main.describe(down, Style.plain());
        assertTrue(unreachable.contains("no answer from the Kubernetes API server: Failed to connect"), unreachable);
        assertTrue(unreachable.contains("Connection refused"), unreachable);
        assertTrue(unreachable.contains("hint: is the cluster reachable"), unreachable);
    }

    @Test
    void anUnexpectedErrorSaysWhatHappenedNotOnlyItsClass() {
        String text = Main.describe(new IllegalStateException("queue full"), Style.plain());
        assertTrue(text.startsWith("Error: unexpected failure: queue full"), text);
    }

    /** In a fresh JVM: no KUBECONFIG, no ~/.kube/config, not in a pod. */
    @Test
    void noKubeconfigIsSaidAsSuch() throws Exception {
        Path stack = dir.resolve("meshform.yaml");
        Files.writeString(stack, "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: t}\nresources:\n"
                + "  - {type: kubernetes.namespace, name: n, spec: {name: cortex}}\n");
        ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.home=" + dir, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "plan", "-f", stack.toString(), "--state", dir.resolve("s.json").toString()));
        pb.environment().remove("KUBECONFIG");
        pb.environment().remove("KUBERNETES_SERVICE_HOST");
        pb.environment().put("HOME", dir.toString());
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.contains("error: no kubeconfig found: KUBECONFIG is not set and " + dir.resolve(".kube/config")
                + " does not exist, and this is not a pod in a cluster"), out);
        assertTrue(out.contains("pass --kubeconfig FILE"), out);
        // the release archive and the image have no bin/dev-cluster: the hint said it as if every user had one
        assertTrue(out.contains("set KUBECONFIG (in a checkout of meshform's repository, `bin/dev-cluster env` prints one"
                + " for its local test cluster)"), out);
    }

    /**
     * The default kubeconfig is $HOME/.kube/config, as kubectl reads it (client-go homedir.HomeDir() is $HOME), not the
     * JVM's user.home: `HOME=/tmp/x meshform plan` said "/root/.kube/config does not exist". In a fresh JVM whose
     * user.home is elsewhere: a home without one is named, and one with one is read.
     */
    @Test
    void theDefaultKubeconfigIsTheOneInHome() throws Exception {
        Path stack = dir.resolve("meshform.yaml");
        Files.writeString(stack, "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: t}\nresources:\n"
                + "  - {type: kubernetes.namespace, name: n, spec: {name: cortex}}\n");
        Path home = dir.resolve("home");
        String out = planInFreshJvm(stack, home);
        assertTrue(out.contains("KUBECONFIG is not set and " + home.resolve(".kube/config") + " does not exist"), out);

        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Files.createDirectories(home.resolve(".kube"));
        Files.writeString(home.resolve(".kube/config"), """
                apiVersion: v1
                kind: Config
                current-context: at-home
                clusters: [{name: c, cluster: {server: "https://127.0.0.1:%d"}}]
                contexts: [{name: at-home, context: {cluster: c, user: u}}]
                users: [{name: u, user: {token: t}}]
                """.formatted(closedPort));
        out = planInFreshJvm(stack, home);
        assertTrue(out.contains("cannot reach the Kubernetes API server (context at-home at https://127.0.0.1:" + closedPort),
                out);
    }

    private String planInFreshJvm(Path stack, Path home) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.home=" + dir.resolve("elsewhere"), "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "plan", "-f", stack.toString(), "--state", dir.resolve("s.json").toString(), "--no-analyze"));
        pb.environment().remove("KUBECONFIG");
        pb.environment().remove("KUBERNETES_SERVICE_HOST");
        pb.environment().put("HOME", home.toString());
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), out);
        return out;
    }

    /**
     * KUBECONFIG holds kubectl's list of files: a missing one is skipped and the others are read (here: a cluster
     * nothing answers for, named by its context); a list of missing files is said to come from $KUBECONFIG.
     */
    @Test
    void aKubeconfigListFromTheEnvironmentIsReadAsKubectlReadsIt() throws Exception {
        Path stack = dir.resolve("meshform.yaml");
        Files.writeString(stack, "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: t}\nresources:\n"
                + "  - {type: kubernetes.namespace, name: n, spec: {name: cortex}}\n");
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Path real = Files.writeString(dir.resolve("real.kubeconfig"), """
                apiVersion: v1
                kind: Config
                current-context: listed
                clusters: [{name: c, cluster: {server: "https://127.0.0.1:%d"}}]
                contexts: [{name: listed, context: {cluster: c, user: u}}]
                users: [{name: u, user: {token: t}}]
                """.formatted(closedPort));
        String list = dir.resolve("missing.kubeconfig") + ":" + real;
        String text = plan(stack, list);
        assertTrue(text.contains("cannot reach the Kubernetes API server (context listed at https://127.0.0.1:" + closedPort),
                text);

        String none = dir.resolve("missing.kubeconfig") + ":" + dir.resolve("gone.kubeconfig");
        text = plan(stack, none);
        assertTrue(text.contains("error: no kubeconfig found: KUBECONFIG=" + none + " names no existing file"), text);
        assertFalse(text.contains("pass an existing file with --kubeconfig"), text);
    }

    private String plan(Path stack, String kubeconfig) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code = Main.run(new Terminal(new java.io.PrintStream(out, true, StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, StandardCharsets.UTF_8), java.io.InputStream.nullInputStream(),
                java.util.Map.of("KUBECONFIG", kubeconfig), false),
                "plan", "-f", stack.toString(), "--state", dir.resolve("s.json").toString(), "--no-color", "--no-analyze");
        String text = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertEquals(ExitCodes.ERROR, code, text);
        return text;
    }

    /** A variable whose value is refused is one error: the spec that uses it still says "${var.x}", which is not checked. */
    @Test
    void aRefusedVariableIsOneErrorNotAlsoItsResources() throws Exception {
        Path stack = Files.writeString(dir.resolve("meshform.yaml"), """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: t}
                variables:
                  strict: {type: bool}
                resources:
                  - type: kubernetes.namespace
                    name: team
                    spec: {name: team-a, labels: {strict: "${var.strict}"}}
                """);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code = Main.run(new Terminal(new java.io.PrintStream(out, true, StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, StandardCharsets.UTF_8), java.io.InputStream.nullInputStream(), java.util.Map.of(), false),
                "validate", "-f", stack.toString(), "--var", "strict=hunter2", "--no-color");
        String text = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertEquals(ExitCodes.ERROR, code, text);
        assertTrue(text.contains("meshform.yaml:5:3: error: variable `strict` from --var strict is not a bool"), text);
        assertTrue(text.contains("1 error."), text);
        assertFalse(text.contains("invalid value"), "no second error about the unresolved text: " + text);
        assertFalse(text.contains("hunter2"), text);
    }

    /** A missing stack file says where it was looked for and how to name another: a newcomer runs `plan` in the wrong directory. */
    @Test
    void aMissingStackFileSaysWhereItLookedAndHowToNameIt() {
        Path missing = dir.resolve("nope.yaml");
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code = Main.run(new Terminal(new java.io.PrintStream(java.io.OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, StandardCharsets.UTF_8), java.io.InputStream.nullInputStream(), java.util.Map.of(), false),
                "validate", "-f", missing.toString(), "--no-color");
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(ExitCodes.ERROR, code, text);
        assertTrue(text.contains("error: stack file not found\n  looked for " + missing.toAbsolutePath()
                + "; give the stack file with -f FILE (default: meshform.yaml in the current directory)"), text);
    }
}

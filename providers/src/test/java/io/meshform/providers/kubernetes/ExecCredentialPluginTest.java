package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ExecConfig;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A kubeconfig whose exec credential plugin fails is reported with the command, its exit code and its stderr, as
 * kubectl reports it, and never with the token; fabric8 alone went on without credentials and the server's refusal
 * was all the user read.
 */
class ExecCredentialPluginTest {
    private static final String SECRET = "SECRET-TOKEN-4711";

    private static Path kubeconfig(Path dir, String command, String script) throws Exception {
        if (script != null) {
            Path plugin = Files.writeString(dir.resolve(command), "#!/bin/sh\n" + script);
            Files.setPosixFilePermissions(plugin, PosixFilePermissions.fromString("rwx------"));
        }
        return Files.writeString(dir.resolve("config"), """
                apiVersion: v1
                kind: Config
                current-context: exec
                clusters:
                - {name: c, cluster: {server: https://127.0.0.1:1111}}
                contexts:
                - {name: exec, context: {cluster: c, user: sso}}
                users:
                - name: sso
                  user:
                    exec:
                      apiVersion: client.authentication.k8s.io/v1
                      command: %s
                      installHint: run `corp-sso install`
                """.formatted(script != null ? "./" + command : command));
    }

    private static String failure(Path config) {
        DiagnosticsException e = assertThrows(DiagnosticsException.class,
                () -> new KubeconfigReader().fromFile(null, config.toFile()));
        Diagnostic d = e.diagnostics().get(0);
        String all = d.summary() + "\n" + d.detail();
        assertFalse(all.contains(SECRET), all);
        assertTrue(all.contains("kubeconfig user `sso`"), all);
        return all;
    }

    @Test
    void aPluginThatExitsNonZeroIsNamedWithItsExitCodeAndStderr(@TempDir Path dir) throws Exception {
        String all = failure(kubeconfig(dir, "fail.sh", """
                echo '{"status":{"token":"%s"}}'
                echo "error: login required for account bob" >&2
                echo "line 2" >&2; echo l3 >&2; echo l4 >&2; echo l5 >&2; echo l6 >&2; echo l7 >&2
                exit 3
                """.formatted(SECRET)));
        assertTrue(all.contains("exec: executable " + dir.resolve("fail.sh") + " failed with exit code 3"), all);
        assertTrue(all.contains("| error: login required for account bob"), all);
        assertTrue(all.contains("| l5") && !all.contains("l6") && all.contains("(2 more lines)"), all);
    }

    @Test
    void aPluginMissingFromPathIsNamedWithTheKubeconfigsInstallHint(@TempDir Path dir) throws Exception {
        String all = failure(kubeconfig(dir, "no-such-credential-plugin-xyz", null));
        assertTrue(all.contains("exec: executable no-such-credential-plugin-xyz not found on PATH"), all);
        assertTrue(all.contains("install hint from the kubeconfig: run `corp-sso install`"), all);
    }

    @Test
    void invalidJsonIsReportedWithoutQuotingTheOutput(@TempDir Path dir) throws Exception {
        String all = failure(kubeconfig(dir, "bad.sh", """
                echo '{"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential", "status": {"token": "%s"'
                """.formatted(SECRET)));
        assertTrue(all.contains("bad.sh printed no valid ExecCredential JSON on stdout"), all);
    }

    @Test
    void aPluginAnsweringAnotherApiVersionIsRefused(@TempDir Path dir) throws Exception {
        String all = failure(kubeconfig(dir, "v1beta1.sh", """
                echo '{"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential", "status": {"token": "%s"}}'
                """.formatted(SECRET)));
        assertTrue(all.contains("printed no ExecCredential of apiVersion client.authentication.k8s.io/v1"), all);
    }

    @Test
    void aHangingPluginIsStoppedAfterTheTimeout(@TempDir Path dir) throws Exception {
        Path script = Files.writeString(dir.resolve("hang.sh"), "#!/bin/sh\nexec sleep 30\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        ExecConfig exec = new ExecConfig();
        exec.setApiVersion("client.authentication.k8s.io/v1");
        exec.setCommand(script.toString());
        long start = System.nanoTime();
        DiagnosticsException e = assertThrows(DiagnosticsException.class,
                () -> new ExecCredentialPlugin(exec, null, "sso", 300).run());
        assertTrue((System.nanoTime() - start) / 1_000_000 < 10_000, "waited for the plugin, not the timeout");
        assertTrue(e.diagnostics().get(0).summary().contains("hang.sh did not finish within 0.3 s and was stopped"), e.getMessage());
    }

    @Test
    void argumentsAreNotShellSyntaxAndTheEnvironmentIsKubectls(@TempDir Path dir) throws Exception {
        Path script = Files.writeString(dir.resolve("args.sh"), """
                #!/bin/sh
                printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s|%s"}}' "$1" "$KUBERNETES_EXEC_INFO" | sed 's/"spec":/spec:/; s/{"apiVersion":"client.authentication.k8s.io\\/v1","kind":"ExecCredential",spec:{"interactive":false}}/INFO/'
                """);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        ExecConfig exec = new ExecConfig();
        exec.setApiVersion("client.authentication.k8s.io/v1");
        exec.setCommand(script.toString());
        exec.setArgs(List.of("a b;$(touch " + dir.resolve("owned") + ")"));
        ExecCredentialPlugin.Credential c = new ExecCredentialPlugin(exec, null, "sso", 10_000).run();
        assertFalse(Files.exists(dir.resolve("owned")));
        assertEquals("a b;$(touch " + dir.resolve("owned") + ")|INFO", c.token());
        assertFalse(c.toString().contains("a b"), c.toString());
    }

    private static ExecConfig execOf(Path dir, String name, String script) throws Exception {
        Path plugin = Files.writeString(dir.resolve(name), "#!/bin/sh\n" + script);
        Files.setPosixFilePermissions(plugin, PosixFilePermissions.fromString("rwx------"));
        ExecConfig exec = new ExecConfig();
        exec.setApiVersion("client.authentication.k8s.io/v1");
        exec.setCommand(plugin.toString());
        return exec;
    }

    @Test
    void aPluginThatPrintsMoreThanAnyCredentialIsStoppedAtTheLimit(@TempDir Path dir) throws Exception {
        // 8 MiB of blanks before a valid answer: read whole, a plugin that never stops filled the heap instead.
        ExecConfig exec = execOf(dir, "flood.sh", """
                head -c 8388608 /dev/zero | tr '\\0' ' '
                echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}'
                """.formatted(SECRET));
        DiagnosticsException e = assertThrows(DiagnosticsException.class,
                () -> new ExecCredentialPlugin(exec, null, "sso", 30_000).run());
        String all = e.diagnostics().get(0).summary() + "\n" + e.diagnostics().get(0).detail();
        assertTrue(all.contains("flood.sh printed more than 1 MiB on stdout and was stopped"), all);
        assertFalse(all.contains(SECRET), all);
    }

    @Test
    void aPluginThatNeverStopsWritingOnStderrIsStoppedBeforeTheTimeout(@TempDir Path dir) throws Exception {
        ExecConfig exec = execOf(dir, "noisy.sh", "exec cat /dev/zero >&2\n");
        long start = System.nanoTime();
        DiagnosticsException e = assertThrows(DiagnosticsException.class,
                () -> new ExecCredentialPlugin(exec, null, "sso", 60_000).run());
        assertTrue((System.nanoTime() - start) / 1_000_000 < 20_000, "waited for the timeout, not the limit");
        assertTrue(e.diagnostics().get(0).summary().contains("noisy.sh printed more than 1 MiB on stderr and was stopped"),
                e.getMessage());
    }

    /** Whether the process is gone, or dead and waiting to be reaped by whichever init took it over. */
    private static boolean gone(long pid) throws Exception {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        for (int i = 0; i < 100; i++) {
            try {
                String s = Files.readString(stat);
                if (s.substring(s.lastIndexOf(')') + 2).startsWith("Z")) {
                    return true;
                }
            } catch (java.io.IOException e) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    private static long pidIn(Path file) throws Exception {
        for (int i = 0; i < 100 && (!Files.exists(file) || Files.readString(file).isBlank()); i++) {
            Thread.sleep(50);
        }
        return Long.parseLong(Files.readString(file).strip());
    }

    /**
     * A plugin whose child detached through a subshell and its own session: re-parented, it is no descendant of the
     * plugin, and it holds the plugin's stdout. The timeout stopped the plugin only; the child lived on for its
     * 300 s and the reading thread with it.
     */
    @Test
    void aHangingPluginsDetachedChildIsStoppedWithIt(@TempDir Path dir) throws Exception {
        Path pid = dir.resolve("child.pid");
        ExecConfig exec = execOf(dir, "detach.sh", """
                ( setsid sh -c 'echo $$ > "%s"; exec sleep 300' & )
                exec sleep 300
                """.formatted(pid));
        long start = System.nanoTime();
        DiagnosticsException e = assertThrows(DiagnosticsException.class,
                () -> new ExecCredentialPlugin(exec, null, "sso", 1_000).run());
        assertTrue((System.nanoTime() - start) / 1_000_000 < 10_000, "waited for the plugin, not the timeout");
        assertTrue(e.diagnostics().get(0).summary().contains("detach.sh did not finish within 1 s and was stopped, with the"
                + " process it started"), e.getMessage());
        assertTrue(gone(pidIn(pid)), "the detached child was stopped");
    }

    /**
     * A plugin that printed its credential and exited, leaving a background process that holds its stdout: kubectl
     * waits for the end of the output without limit. Said, and the process it left is stopped.
     */
    @Test
    void aProcessLeftHoldingThePluginsOutputIsStopped(@TempDir Path dir) throws Exception {
        Path pid = dir.resolve("child.pid");
        ExecConfig exec = execOf(dir, "leave.sh", """
                ( setsid sh -c 'echo $$ > "%s"; exec sleep 300' & )
                echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}'
                sleep 1
                """.formatted(pid, SECRET));
        // The plugin lives a second after its answer: see ExecCredentialPlugin#run on a plugin that exits before its
        // output is being read (on a busy host the JDK then drains and closes the pipe itself, and nothing is left open).
        DiagnosticsException e = assertThrows(DiagnosticsException.class,
                () -> new ExecCredentialPlugin(exec, null, "sso", 30_000).run());
        String all = e.diagnostics().get(0).summary() + "\n" + e.diagnostics().get(0).detail();
        assertTrue(all.contains("leave.sh exited, but its stdout or stderr stayed open")
                && all.contains("meshform stopped the process it left running"), all);
        assertFalse(all.contains(SECRET), all);
        assertTrue(gone(pidIn(pid)), "the process left holding stdout was stopped");
    }

    /**
     * The client is built ahead on a thread of its own, then again by the first request after that build failed, and
     * the kubeconfig is read for messages too: a failing (or hanging) plugin ran at each. It runs once per connection.
     */
    @Test
    void aFailingPluginRunsOncePerConnectionHoweverOftenTheKubeconfigIsRead(@TempDir Path dir) throws Exception {
        Path runs = dir.resolve("runs");
        Path config = kubeconfig(dir, "count.sh", "echo run >> '" + runs + "'\necho 'error: login required' >&2\nexit 1\n");
        try (KubeConnection kube = new KubeConnection(new io.meshform.engine.spi.ProviderSettings(
                java.util.Map.of("kubeconfig", config.toString())))) {
            kube.buildAhead();
            DiagnosticsException first = assertThrows(DiagnosticsException.class, kube::client);
            DiagnosticsException again = assertThrows(DiagnosticsException.class, kube::client);
            assertThrows(DiagnosticsException.class, kube::describe);
            assertTrue(first.getMessage().contains("failed with exit code 1"), first.getMessage());
            assertEquals(first.getMessage(), again.getMessage(), "the failure is said as it first was");
        }
        assertEquals(List.of("run"), Files.readAllLines(runs));
    }
}

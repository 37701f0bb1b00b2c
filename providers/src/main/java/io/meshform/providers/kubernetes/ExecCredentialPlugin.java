package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.api.model.ExecConfig;
import io.fabric8.kubernetes.api.model.ExecEnvVar;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * A kubeconfig user's {@code exec} credential plugin, run as kubectl runs it (client-go 0.36,
 * k8s.io/client-go/plugin/pkg/client/auth/exec/exec.go, {@code refreshCredsLocked}): the command itself with its
 * arguments (no shell), a relative command with a '/' resolved against the kubeconfig's directory, the
 * kubeconfig's {@code env} added to this process's, {@code KUBERNETES_EXEC_INFO} set, stdout read as an
 * ExecCredential. fabric8 8.0.0 ({@code KubeConfigUtils.getExecCredentialFromExecConfig}) runs it through
 * {@code sh -c}, mixes its stderr into the JSON it parses, and on any failure (not found, exit code, bad output)
 * only logs a warning and goes on without credentials: the server then refused an anonymous client and the user
 * read "GOAWAY ... check the token" without the plugin, its exit code or its words. Here every failure stops the
 * run with the command, the exit code and the first lines of its stderr, as kubectl does
 * ("getting credentials: exec: executable X failed with exit code 1"). Its stdout is never shown: it holds the token.
 */
record ExecCredentialPlugin(ExecConfig exec, File kubeconfig, String user, long timeoutMillis) {
    /**
     * kubectl waits for a plugin without limit; a plan in CI would hang with it. A plugin that needs the user
     * cannot get them here anyway (its stdin is not the terminal; interactive: false is what it is told).
     */
    static final long DEFAULT_TIMEOUT_MILLIS = 60_000;
    static final int STDERR_LINES = 5;
    private static final int STDERR_LINE_CHARS = 300;
    /** An ExecCredential is a token, or a certificate and key: a few KB. Past this the plugin is stopped. */
    static final int OUTPUT_LIMIT = 1 << 20;

    /**
     * What the plugin gave: a bearer token, or a client certificate and key (PEM), and when it said they expire
     * ({@code status.expirationTimestamp}, RFC 3339; null when it did not say): a refusal names a time past.
     */
    record Credential(String token, String clientCertificateData, String clientKeyData, java.time.Instant expiresAt) {
        Credential(String token, String clientCertificateData, String clientKeyData) {
            this(token, clientCertificateData, clientKeyData, null);
        }

        @Override
        public String toString() {
            return "Credential[" + (token != null ? "token" : "client certificate") + "]";  // never the secret
        }
    }

    /**
     * Runs the plugin; a {@link DiagnosticsException} that names it when it does not give a credential. A process the
     * plugin leaves holding its stdout or stderr is found while the output is being read when the plugin exits; one
     * that exits within moments of its start, before the reading threads block on its pipes, has them drained and
     * closed by the JDK's process reaper ({@code ProcessPipeInputStream.processExited}), so its answer is used as
     * kubectl would use it had the child closed them, and such a child is not looked for.
     */
    Credential run() {
        String command = command();
        List<String> argv = new ArrayList<>();
        argv.add(command);
        if (exec.getArgs() != null) {
            argv.addAll(exec.getArgs());
        }
        ProcessBuilder pb = new ProcessBuilder(argv);
        // No terminal and no input, as for kubectl with interactiveMode Never (told by KUBERNETES_EXEC_INFO).
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        if (exec.getEnv() != null) {
            for (ExecEnvVar v : exec.getEnv()) {
                if (v.getName() != null) {
                    pb.environment().put(v.getName(), v.getValue() == null ? "" : v.getValue());
                }
            }
        }
        pb.environment().put("KUBERNETES_EXEC_INFO", "{\"apiVersion\":\"" + apiVersion()
                + "\",\"kind\":\"ExecCredential\",\"spec\":{\"interactive\":false}}");
        ExecPluginProcesses processes = new ExecPluginProcesses();
        processes.mark(pb);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw notStarted(command, e);
        }
        try {
            Runnable stop = () -> processes.stop(p);
            CompletableFuture<Output> stdout = reading(p.getInputStream(), stop, "exec-plugin-stdout");
            CompletableFuture<Output> stderr = reading(p.getErrorStream(), stop, "exec-plugin-stderr");
            if (!p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                int started = processes.stop(p);
                throw fail("executable " + command + " did not finish within "
                        + (timeoutMillis % 1000 == 0 ? timeoutMillis / 1000 + "" : timeoutMillis / 1000.0 + "") + " s"
                        + " and was stopped" + (started == 1 ? ", with the process it started"
                                : started > 1 ? ", with the " + started + " processes it started" : ""),
                        "it may be waiting for input (meshform runs it without a terminal, as interactive: false)"
                                + " or for a network; run it by hand to see, or log in with its own command first");
            }
            int code = p.exitValue();
            Output err = stderr.get(5, TimeUnit.SECONDS);
            Output out = stdout.get(5, TimeUnit.SECONDS);
            if (out.cut() || err.cut()) {
                throw fail("executable " + command + " printed more than " + (OUTPUT_LIMIT >> 20) + " MiB on "
                                + (out.cut() ? "stdout" : "stderr") + " and was stopped",
                        "an ExecCredential is a token or a certificate and key, a few KB; run the command by hand to see"
                                + " what it prints");
            }
            String errors = firstLines(new String(err.bytes(), StandardCharsets.UTF_8));
            if (code != 0) {
                throw fail("executable " + command + " failed with exit code " + code,
                        (errors.isEmpty() ? "it wrote nothing on stderr" : "its stderr:\n" + errors)
                                + "\n(hint: run the command by hand; a login that expired is renewed with the plugin's own login command)");
            }
            return credential(command, out.bytes());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            processes.stop(p);
            throw fail("interrupted while running executable " + command, null);
        } catch (java.util.concurrent.TimeoutException e) {
            // Its children were re-parented when it exited, no longer its descendants: found by the run's mark.
            int left = processes.stop(p);
            throw fail("executable " + command + " exited, but its stdout or stderr stayed open",
                    "a process it started in the background holds them (kubectl would wait for it without end)"
                            + (left == 1 ? "; meshform stopped the process it left running"
                                    : left > 1 ? "; meshform stopped the " + left + " it left running" : "")
                            + "; the plugin must close them, or send its children's output elsewhere");
        } catch (java.util.concurrent.ExecutionException e) {
            throw fail("could not read the output of executable " + command + ": " + e.getCause(), null);
        }
    }

    /** The command to start: as the kubeconfig says, or beside the kubeconfig when it is relative and has a '/'. */
    String command() {
        String command = exec.getCommand() == null ? "" : exec.getCommand();
        if (command.contains(File.separator) && !Path.of(command).isAbsolute() && kubeconfig != null) {
            return kubeconfig.getAbsoluteFile().toPath().resolveSibling(command).normalize().toString();
        }
        return command;
    }

    private String apiVersion() {
        return exec.getApiVersion() == null ? "client.authentication.k8s.io/v1" : exec.getApiVersion();
    }

    private Credential credential(String command, byte[] stdout) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(stdout);
        } catch (JacksonException e) {
            // The parser's message quotes the output, which holds the token: only where it broke is said.
            throw fail("executable " + command + " printed no valid ExecCredential JSON on stdout"
                            + (e.getLocation() == null ? "" : " (it breaks at line " + e.getLocation().getLineNr()
                            + ", column " + e.getLocation().getColumnNr() + ")"),
                    "expected {\"apiVersion\": \"" + apiVersion() + "\", \"kind\": \"ExecCredential\", \"status\": {\"token\": ...}}"
                            + " (meshform does not print the output: it holds credentials); run the command by hand");
        }
        if (root == null || !root.isObject() || !apiVersion().equals(root.path("apiVersion").asString(""))) {
            throw fail("executable " + command + " printed no ExecCredential of apiVersion " + apiVersion(),
                    "the kubeconfig's exec.apiVersion must be the one the plugin answers with; run the command by hand");
        }
        JsonNode status = root.path("status");
        String token = text(status, "token");
        String cert = text(status, "clientCertificateData");
        String key = text(status, "clientKeyData");
        java.time.Instant expires = expiration(status);
        if (token != null) {
            return new Credential(token, null, null, expires);
        }
        if (cert != null && key != null) {
            return new Credential(null, cert, key, expires);
        }
        throw fail("executable " + command + " printed an ExecCredential without status.token or"
                + " status.clientCertificateData and clientKeyData", "run the command by hand to see what it returns");
    }

    /**
     * {@code status.expirationTimestamp}, or null. Only said back to the user, never acted on: a value that does not
     * parse is left out rather than failing a credential client-go would take (it parses it as metav1.Time).
     */
    private static java.time.Instant expiration(JsonNode status) {
        String at = text(status, "expirationTimestamp");
        try {
            return at == null ? null : java.time.OffsetDateTime.parse(at).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isString() && !v.asString().isEmpty() ? v.asString() : null;
    }

    private DiagnosticsException notStarted(String command, IOException e) {
        boolean missing = !Files.exists(Path.of(command)) && (command.contains(File.separator) || !onPath(command));
        String hint = exec.getInstallHint() != null && !exec.getInstallHint().isBlank()
                ? "install hint from the kubeconfig: " + exec.getInstallHint().strip()
                : "install the credential plugin, put it on PATH, or fix users[].user.exec.command in the kubeconfig";
        if (missing) {
            return fail("executable " + command + " not found" + (command.contains(File.separator) ? "" : " on PATH"), hint);
        }
        return fail("executable " + command + " could not be started: " + e.getMessage(),
                "check that it is an executable file (chmod +x) for this user");
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isRegularFile(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    /** The first {@link #STDERR_LINES} non-blank lines, each cut short, indented; "(N more lines)" after. */
    static String firstLines(String text) {
        List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(STDERR_LINES, lines.size()); i++) {
            String l = lines.get(i).stripTrailing();
            sb.append(sb.isEmpty() ? "" : "\n").append("  | ")
                    .append(l.length() > STDERR_LINE_CHARS ? l.substring(0, STDERR_LINE_CHARS) + "..." : l);
        }
        if (lines.size() > STDERR_LINES) {
            sb.append("\n  (").append(lines.size() - STDERR_LINES).append(" more lines)");
        }
        return sb.toString();
    }

    /** What the plugin wrote on one stream; {@code cut} when it wrote more than {@link #OUTPUT_LIMIT} and was stopped. */
    private record Output(byte[] bytes, boolean cut) {
    }

    /**
     * {@link #readAtMost} on a daemon thread of its own, not the common pool: a process the plugin left behind may
     * hold the stream open for as long as it lives, and a blocked pool thread is one fewer for everyone else in the
     * JVM; a daemon never keeps a finished run alive.
     */
    private static CompletableFuture<Output> reading(InputStream in, Runnable stop, String name) {
        CompletableFuture<Output> read = new CompletableFuture<>();
        Thread t = new Thread(() -> read.complete(readAtMost(in, stop)), name);
        t.setDaemon(true);
        t.start();
        return read;
    }

    /**
     * Up to {@link #OUTPUT_LIMIT} bytes of {@code in}; a plugin that writes more is stopped there ({@code stop}). Read
     * whole, a plugin that never stops writing (a loop, {@code cat /dev/zero}) filled the heap for the 60 s of the timeout.
     */
    private static Output readAtMost(InputStream in, Runnable stop) {
        try (in) {
            byte[] bytes = in.readNBytes(OUTPUT_LIMIT);
            if (in.read() < 0) {
                return new Output(bytes, false);
            }
            stop.run();
            return new Output(bytes, true);
        } catch (IOException e) {
            return new Output(new byte[0], false);
        }
    }

    private DiagnosticsException fail(String what, String detail) {
        return new DiagnosticsException(Diagnostic.error("getting credentials for kubeconfig user `" + user
                + "`" + (kubeconfig == null ? "" : " (" + kubeconfig + ")") + ": exec: " + what, detail, null));
    }
}

package io.meshform.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The training run of the launcher's class cache (dist/src/main/dist/lib/launch.sh): runs, in one JVM, what users
 * run most, so the AppCDS archive (JDK 17-24) or AOT cache (JDK 25+) written at its exit holds those classes.
 * {@code version}, help, {@code validate} of the given stack, and a {@code plan} against a local port that accepts
 * and closes each connection: the plan loads the stack, the providers, the Kubernetes client and the TLS client
 * and stops at its first request. Nothing leaves the machine and nothing is written outside the given directory.
 *
 * <pre>java -XX:ArchiveClassesAtExit=F -cp meshform.jar io.meshform.cli.Training DIR [STACK]</pre>
 */
public final class Training {
    private Training() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Path stack = args.length > 1 && Files.isRegularFile(Path.of(args[1])) ? Path.of(args[1]) : null;
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        Map<String, String> env = new HashMap<>(System.getenv());
        Terminal quiet = new Terminal(sink, sink, InputStream.nullInputStream(), env, false);
        Main.run(quiet, "version");
        Main.run(quiet, "--help");
        Main.run(quiet, "plan", "--help");
        Main.run(quiet, "plna");
        if (stack == null) {
            return;
        }
        Main.run(quiet, "validate", "-f", stack.toString(), "--no-color");
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread closer = new Thread(() -> closeEach(server), "training-server");
            closer.setDaemon(true);
            closer.start();
            Path kubeconfig = dir.resolve("kubeconfig");
            Files.writeString(kubeconfig, """
                    apiVersion: v1
                    kind: Config
                    clusters: [{name: training, cluster: {server: "https://127.0.0.1:%d", insecure-skip-tls-verify: true}}]
                    users: [{name: training, user: {token: training}}]
                    contexts: [{name: training, context: {cluster: training, user: training}}]
                    current-context: training
                    """.formatted(server.getLocalPort()));
            Main.run(quiet, "plan", "-f", stack.toString(), "--state", dir.resolve("state.json").toString(),
                    "--kubeconfig", kubeconfig.toString(), "--no-color");
        }
    }

    /** Reads what the client sends (its TLS ClientHello) and closes: the handshake fails at once. */
    private static void closeEach(ServerSocket server) {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                s.setSoTimeout(2000);
                s.getInputStream().read(new byte[4096]);
            } catch (IOException e) {
                // closed, or the client gave up: either way the next one
            }
        }
    }
}

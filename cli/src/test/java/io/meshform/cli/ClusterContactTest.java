package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which commands contact the cluster, and how a cluster that is not there is reported: the offline commands never
 * open a connection, a refused one is reported at once with nothing sent and no istioctl started, and a stack's own
 * error comes before the cluster's. Guards for any set-up of the client ahead of need (BENCHMARKS.md, issue 18,
 * evening session: connect, where one was tried and not adopted).
 */
class ClusterContactTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    private Path kubeconfig(int port) throws IOException {
        return Files.writeString(dir.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                current-context: a
                clusters:
                - name: a
                  cluster: {server: https://127.0.0.1:%d}
                contexts:
                - name: a
                  context: {cluster: a, user: u}
                users:
                - name: u
                  user: {token: t}
                """.formatted(port));
    }

    private Path stack() throws IOException {
        return stack("{name: team-a}");
    }

    /** A stack of one namespace with this spec. */
    private Path stack(String spec) throws IOException {
        return Files.writeString(dir.resolve("meshform.yaml"), """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: demo}
                resources:
                  - type: kubernetes.namespace
                    name: team
                    spec: %s
                """.formatted(spec));
    }

    /** An istioctl that leaves a mark when anything runs it. */
    private Path markingIstioctl() throws IOException {
        Path script = dir.resolve("istioctl");
        Files.writeString(script, "#!/bin/sh\ntouch " + dir.resolve("istioctl-ran") + "\nexit 1\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    private Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                InputStream.nullInputStream(), Map.of(), false), args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void offlineCommandsOpenNoConnection() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            server.configureBlocking(false);
            String kubeconfig = kubeconfig(server.socket().getLocalPort()).toString();
            String stack = stack().toString();
            assertEquals(0, run("validate", "-f", stack, "--kubeconfig", kubeconfig, "--istioctl", markingIstioctl().toString()).code());
            assertEquals(0, run("plan", "--help").code());
            assertEquals(0, run("apply", "--help").code());
            assertEquals(0, run("version").code());
            assertEquals(0, run("graph", "-f", stack, "--kubeconfig", kubeconfig).code());
            // The commands have returned; a connection any of them opened waits in the listening socket's backlog.
            assertNull(server.accept(), "nothing connected to the API server's address");
        }
    }

    @Test
    void aRefusingServerIsReportedAtOnceWithNothingSentAndNoIstioctl() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Result plan = run("plan", "-f", stack().toString(), "--kubeconfig", kubeconfig(closedPort).toString(),
                "--state", dir.resolve("state.json").toString(), "--istioctl", markingIstioctl().toString(), "--log-level", "debug");
        assertEquals(ExitCodes.ERROR, plan.code(), plan.out() + plan.err());
        assertTrue(plan.err().contains("cannot reach the Kubernetes API server (context a at https://127.0.0.1:" + closedPort),
                plan.err());
        assertTrue(plan.err().contains("api_requests=0"), plan.err());
        assertFalse(Files.exists(dir.resolve("istioctl-ran")), "istioctl was not started");
    }

    @Test
    void aStackErrorComesBeforeTheClustersError() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Path stack = stack("{nam: team-a}");
        for (String command : new String[] {"plan", "drift", "apply"}) {
            Result r = run(command, "-f", stack.toString(), "--kubeconfig", kubeconfig(closedPort).toString(),
                    "--state", dir.resolve("state.json").toString(), "--no-color");
            assertEquals(ExitCodes.ERROR, r.code(), command + ": " + r.out() + r.err());
            assertTrue(r.err().contains("nam"), command + ": " + r.err());
            assertFalse(r.err().contains("cannot reach"), command + ": the stack's error is reported, as before: " + r.err());
        }
    }

    /**
     * --strict makes the stack's own warnings errors too (here a variable declared but never used), before the cluster
     * is contacted: they were printed as warnings and the plan went on (exit 0 with a cluster), while --strict says every
     * warning is an error. Without --strict they stay warnings, and the run goes on to the cluster.
     */
    @Test
    void strictMakesTheStacksOwnWarningsErrorsBeforeTheCluster() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Path stack = Files.writeString(dir.resolve("meshform.yaml"), """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: demo}
                variables:
                  unused: {default: x}
                resources:
                  - type: kubernetes.namespace
                    name: team
                    spec: {name: team-a}
                """);
        for (String[] command : new String[][] {{"plan"}, {"apply", "--auto-approve"}, {"destroy", "--auto-approve"}}) {
            List<String> args = new java.util.ArrayList<>(List.of(command));
            args.addAll(List.of("-f", stack.toString(), "--kubeconfig", kubeconfig(closedPort).toString(),
                    "--state", dir.resolve("state.json").toString(), "--no-color"));
            Result lenient = run(args.toArray(String[]::new));
            assertTrue(lenient.err().contains(stack + ":5:3: warning: variable `unused` is declared but never used"), lenient.err());
            assertTrue(lenient.err().contains("cannot reach"), lenient.err());
            args.add("--strict");
            Result strict = run(args.toArray(String[]::new));
            assertEquals(ExitCodes.ERROR, strict.code(), strict.out() + strict.err());
            assertTrue(strict.err().contains(stack + ":5:3: error: variable `unused` is declared but never used\n"
                    + "  remove it, or reference it as ${var.unused}\n  (an error because of --strict)"), strict.err());
            assertFalse(strict.err().contains("warning:"), strict.err());
            assertFalse(strict.err().contains("cannot reach"), "refused before the cluster: " + strict.err());
        }
    }

    /** A run that fails before it can talk to the cluster makes no lock file and no state beside the stack. */
    @Test
    void aRunThatCannotReachItsClusterLeavesNothingBehind() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        String stack = stack().toString();
        String reachable = kubeconfig(closedPort).toString();
        java.util.Set<Path> before;
        try (var files = Files.list(dir)) {
            before = files.collect(java.util.stream.Collectors.toSet());
        }
        for (String kubeconfig : List.of(dir.resolve("missing-kubeconfig").toString(), reachable)) {
            for (List<String> command : List.of(List.of("plan"), List.of("apply", "--auto-approve"),
                    List.of("destroy", "--auto-approve"), List.of("import", "kubernetes.namespace.team", "team-a"))) {
                List<String> args = new java.util.ArrayList<>(command);
                args.addAll(List.of("-f", stack, "--kubeconfig", kubeconfig));
                Result r = run(args.toArray(String[]::new));
                assertEquals(ExitCodes.ERROR, r.code(), command + ": " + r.out() + r.err());
                try (var files = Files.list(dir)) {
                    assertEquals(before, files.collect(java.util.stream.Collectors.toSet()), command + " with " + kubeconfig
                            + " left a file behind: " + r.err());
                }
            }
        }
    }

    /**
     * With the state of runs without --context beside the stack, `plan --context nope` warned "rename it to
     * meshform.nope.state.json" before it said that no context nope exists: advice about a cluster that is not there.
     */
    @Test
    void anUnknownContextIsTheOnlyMessageEvenBesideTheSharedState() throws Exception {
        Files.writeString(dir.resolve("meshform.state.json"), "{}");
        Result plan = run("plan", "-f", stack().toString(), "--kubeconfig", kubeconfig(1).toString(), "--context", "nope",
                "--no-color");
        assertEquals(ExitCodes.ERROR, plan.code(), plan.out() + plan.err());
        assertTrue(plan.err().startsWith("error: context `nope` is not in the kubeconfig"), plan.err());
        assertFalse(plan.err().contains("warning"), plan.err());
        assertFalse(plan.err().contains("rename it"), plan.err());
    }
}

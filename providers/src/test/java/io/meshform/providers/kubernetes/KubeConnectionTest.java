package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.spi.ProviderSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubeConnectionTest {
    static final String KUBECONFIG = """
            apiVersion: v1
            kind: Config
            current-context: a
            clusters:
            - name: a
              cluster: {server: https://127.0.0.1:1111}
            - name: b
              cluster: {server: https://127.0.0.1:2222}
            contexts:
            - name: a
              context: {cluster: a, user: u}
            - name: b
              context: {cluster: b, user: u}
            users:
            - name: u
              user: {token: t}
            """;

    @Test
    void pickedContextIsUsed(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("config"), KUBECONFIG);
        var cfg = KubeConnection.config(new ProviderSettings(Map.of("kubeconfig", f.toString(), "context", "b")));
        assertEquals("https://127.0.0.1:2222/", cfg.getMasterUrl());
    }

    @Test
    void unknownContextFailsInsteadOfFallingBack(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("config"), KUBECONFIG);
        var e = assertThrows(DiagnosticsException.class, () ->
                KubeConnection.config(new ProviderSettings(Map.of("kubeconfig", f.toString(), "context", "prod"))));
        assertTrue(e.getMessage().contains("context `prod` is not in the kubeconfig"), e.getMessage());
        assertTrue(e.getMessage().contains("known contexts: a, b"), e.getMessage());
    }

    @Test
    void missingKubeconfigFileIsNamed() {
        var e = assertThrows(DiagnosticsException.class, () ->
                KubeConnection.config(new ProviderSettings(Map.of("kubeconfig", "/nope/config"))));
        assertTrue(e.getMessage().contains("kubeconfig /nope/config does not exist"), e.getMessage());
    }

    /**
     * KUBECONFIG holds kubectl's list of files: they are merged as kubectl merges them (the first file that names a
     * context, cluster or user wins; the current context is the first file's that sets one; a file that does not
     * exist is skipped), and errors say the list came from $KUBECONFIG, not --kubeconfig.
     */
    @Test
    void aKubeconfigListFromTheEnvironmentIsMergedAsKubectlDoes(@TempDir Path dir) throws Exception {
        Path first = Files.writeString(dir.resolve("first"), """
                apiVersion: v1
                kind: Config
                clusters:
                - name: a
                  cluster: {server: https://127.0.0.1:3333}
                contexts:
                - name: only-first
                  context: {cluster: a, user: u}
                users:
                - name: u
                  user: {token: first}
                """);
        Path second = Files.writeString(dir.resolve("second"), KUBECONFIG.replace("current-context: a", "current-context: b"));
        Path third = Files.writeString(dir.resolve("third"), KUBECONFIG.replace("current-context: a", "current-context: a"));
        String list = dir.resolve("missing") + ":" + first + "::" + second + ":" + third;
        Map<String, String> env = Map.of("kubeconfig", list, KubeConnection.KUBECONFIG_FROM_ENVIRONMENT, "true");

        var cfg = KubeConnection.config(new ProviderSettings(env));
        assertEquals("b", cfg.getCurrentContext().getName(), "the first file that sets current-context (second) wins over the third");
        assertEquals("https://127.0.0.1:2222/", cfg.getMasterUrl());
        assertEquals("first", cfg.getAutoOAuthToken(), "user u of the first file that names it");

        var merged = new java.util.HashMap<>(env);
        merged.put("context", "a");
        assertEquals("https://127.0.0.1:3333/", KubeConnection.config(new ProviderSettings(merged)).getMasterUrl(),
                "cluster a of the first file that names it");
        merged.put("context", "only-first");
        assertEquals("https://127.0.0.1:3333/", KubeConnection.config(new ProviderSettings(merged)).getMasterUrl());
        assertEquals(List.of("a", "b", "only-first"), KubeConnection.contextNames(new ProviderSettings(env)));

        merged.put("context", "prod");
        var unknown = assertThrows(DiagnosticsException.class, () -> KubeConnection.config(new ProviderSettings(merged)));
        assertTrue(unknown.getMessage().contains("context `prod` is not in the kubeconfig files of $KUBECONFIG (" + list + ")"),
                unknown.getMessage());

        String none = dir.resolve("missing") + ":" + dir.resolve("gone");
        var nothing = assertThrows(DiagnosticsException.class, () -> KubeConnection.config(new ProviderSettings(
                Map.of("kubeconfig", none, KubeConnection.KUBECONFIG_FROM_ENVIRONMENT, "true"))));
        assertTrue(nothing.getMessage().contains("KUBECONFIG=" + none + " names no existing file"), nothing.getMessage());
        assertTrue(!nothing.getMessage().contains("with --kubeconfig, or leave it out"), nothing.getMessage());
    }

    @Test
    void aCurrentContextNoFileDefinesIsAnErrorNotAFallback(@TempDir Path dir) throws Exception {
        Path first = Files.writeString(dir.resolve("first"), KUBECONFIG.replace("current-context: a", "current-context: gone"));
        Path second = Files.writeString(dir.resolve("second"), KUBECONFIG);
        var e = assertThrows(DiagnosticsException.class, () -> KubeConnection.config(new ProviderSettings(
                Map.of("kubeconfig", first + ":" + second, KubeConnection.KUBECONFIG_FROM_ENVIRONMENT, "true"))));
        assertTrue(e.getMessage().contains("current-context `gone` (set in " + first + ")"), e.getMessage());
        assertTrue(e.getMessage().contains("$KUBECONFIG"), e.getMessage());
    }

    @Test
    void aServerThatDoesNotAnswerIsNamedWithItsContext(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("config");
        Files.writeString(f, KUBECONFIG);
        try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", f.toString(), "context", "b")))) {
            var refused = new io.fabric8.kubernetes.client.KubernetesClientException("connect failed",
                    new java.net.ConnectException("Connection refused"));
            String message = kube.explain("istio.peerAuthentication", "list", "PeerAuthentication objects", refused).getMessage();
            assertTrue(message.contains("no answer from the API server (context b at https://127.0.0.1:2222"), message);
            var forbidden = new io.fabric8.kubernetes.client.KubernetesClientException("forbidden", 403, null);
            assertTrue(!kube.explain("x", "list", "y", forbidden).getMessage().contains("127.0.0.1"),
                    "an answer from the server needs no address");
        }
    }

    @Test
    void anUnreachableServerIsReportedAtOnceWithoutARequest(@TempDir Path dir) throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Path f = Files.writeString(dir.resolve("config"), KUBECONFIG.replace("127.0.0.1:1111", "127.0.0.1:" + closedPort));
        try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", f.toString())))) {
            var e = assertThrows(DiagnosticsException.class, kube::client);
            assertTrue(e.getMessage().contains("cannot reach the Kubernetes API server (context a at https://127.0.0.1:" + closedPort),
                    e.getMessage());
            assertEquals(0, kube.requestCount(), "nothing was sent, so nothing was retried");
        }
    }

    /**
     * Built ahead (beside a plan's stack load), the client connects to nothing until the first client() call, which
     * checks the server once and returns it: a command refused on its inputs after the build started touched no cluster.
     */
    @Test
    void aClientBuiltAheadConnectsToNothingUntilTheFirstCall(@TempDir Path dir) throws Exception {
        java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try (java.net.Socket s = server.accept()) {
                        connections.incrementAndGet();
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            Path f = Files.writeString(dir.resolve("config"),
                    KUBECONFIG.replace("127.0.0.1:1111", "127.0.0.1:" + server.getLocalPort()));
            try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", f.toString())))) {
                kube.buildAhead();
                for (Thread t : Thread.getAllStackTraces().keySet()) {
                    if (t.getName().equals("kube-client-ahead")) {
                        t.join();
                    }
                }
                assertEquals(0, connections.get(), "the build ahead connected to nothing");
                var client = kube.client();
                assertSame(client, kube.client());
                for (int i = 0; i < 500 && connections.get() == 0; i++) {
                    Thread.sleep(10);  // the acceptor counts the reachability check's connection
                }
                assertEquals(1, connections.get(), "the first call checked the server, once");
                assertEquals(0, kube.requestCount(), "nothing was sent");
            }
        }
    }

    /** Credentials in the server URL (userinfo, query) are never printed (audit A, L1). */
    @Test
    void credentialsInTheServerUrlAreNotPrinted(@TempDir Path dir) throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Path f = Files.writeString(dir.resolve("config"), KUBECONFIG.replace("https://127.0.0.1:1111",
                "https://admin:hunter2PW@127.0.0.1:" + closedPort + "/?access_token=QSECRETQ#frag"));
        try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", f.toString())))) {
            var e = assertThrows(DiagnosticsException.class, kube::client);
            assertTrue(e.getMessage().contains("(context a at https://127.0.0.1:" + closedPort + "/)"), e.getMessage());
            for (String text : List.of(e.getMessage(), kube.describe())) {
                assertTrue(!text.contains("hunter2PW") && !text.contains("admin") && !text.contains("QSECRETQ")
                        && !text.contains("frag"), text);
            }
        }
    }

    /** A client built ahead for a server nothing listens on: every client() call reports it, as without the build. */
    @Test
    void anUnreachableServerIsReportedByEveryCallAfterABuildAhead(@TempDir Path dir) throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Path f = Files.writeString(dir.resolve("config"), KUBECONFIG.replace("127.0.0.1:1111", "127.0.0.1:" + closedPort));
        try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", f.toString())))) {
            kube.buildAhead();
            var first = assertThrows(DiagnosticsException.class, kube::client);
            assertTrue(first.getMessage().contains("cannot reach the Kubernetes API server (context a at https://127.0.0.1:" + closedPort),
                    first.getMessage());
            var again = assertThrows(DiagnosticsException.class, kube::client);
            assertEquals(first.getMessage(), again.getMessage());
        }
    }

    @Test
    void anUnknownHostIsNamed(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("config"), KUBECONFIG.replace("127.0.0.1:1111", "no-such-host.invalid:6443"));
        try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", f.toString())))) {
            var e = assertThrows(DiagnosticsException.class, kube::client);
            assertTrue(e.getMessage().contains("unknown host no-such-host.invalid"), e.getMessage());
        }
    }

    /** A plain-HTTP API server on loopback: each request is counted and answered by {@code answer}. */
    private static com.sun.net.httpserver.HttpServer server(java.util.concurrent.atomic.AtomicInteger requests,
                                                            java.util.function.Function<String, Integer> answer) throws Exception {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            int code = answer.apply(exchange.getRequestHeaders().getFirst("Authorization"));
            if (code == 0) { // no answer: the connection is closed under the request
                exchange.close();
                return;
            }
            String json = code == 200 ? "{\"kind\":\"ConfigMapList\",\"apiVersion\":\"v1\",\"metadata\":{},\"items\":[]}"
                    : "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"Unauthorized\","
                            + "\"reason\":\"Unauthorized\",\"code\":401}";
            byte[] body = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(code, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        return server;
    }

    /**
     * A server that refuses the token: the first request is answered 401 and not sent again (the kubeconfig, read
     * again, holds the same token), the reads held behind it are not sent, and every read reports the refused
     * credentials. kube-apiserver would also close the connection (GOAWAY), and fabric8 retried each read that failed
     * on it with growing pauses, after re-reading the kubeconfig with its slow parse and sending the first read again
     * with the same token: the seconds a wrong token took (KubeConnectionIT has the real server).
     */
    @Test
    void afterA401NothingElseIsSentAndEveryReadNamesTheRefusedCredentials(@TempDir Path dir) throws Exception {
        java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
        com.sun.net.httpserver.HttpServer server = server(requests, token -> {
            heldInTheGate(5); // the five other reads wait for this answer, as a plan's do
            return 401;
        });
        try {
            Path f = Files.writeString(dir.resolve("config"), KUBECONFIG.replace("https://127.0.0.1:1111",
                    "http://127.0.0.1:" + server.getAddress().getPort()));
            try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", f.toString())))) {
                Map<String, String> messages = ParallelLists.each(List.of("a", "b", "c", "d", "e", "f"), ns -> {
                    var e = assertThrows(io.fabric8.kubernetes.client.KubernetesClientException.class,
                            () -> kube.client().configMaps().inNamespace(ns).list());
                    return kube.explain("kubernetes.manifest.x", "list", "ConfigMaps in " + ns, e).getMessage();
                });
                for (String m : messages.values()) {
                    assertTrue(m.contains("the API server refused the credentials of context a at http://127.0.0.1:"), m);
                    assertTrue(m.contains("(HTTP 401 Unauthorized)") && m.contains("kubeconfig user `u` (" + f + ")")
                            && m.contains("replace users[].user.token"), m);
                }
            }
            assertEquals(1, requests.get(), "only the first read is sent, once");
        } finally {
            server.stop(0);
        }
    }

    /** Waits (at most 10 s) until {@code n} of ParallelLists' threads are held in the first-request gate. */
    private static void heldInTheGate(int n) {
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end) {
            long held = Thread.getAllStackTraces().entrySet().stream()
                    .filter(e -> e.getKey().getName().equals("meshform-list"))
                    .filter(e -> java.util.Arrays.stream(e.getValue()).anyMatch(
                            f -> f.getClassName().equals(FirstRequestGate.class.getName()) && f.getMethodName().equals("before")))
                    .filter(e -> e.getKey().getState() == Thread.State.TIMED_WAITING)
                    .count();
            if (held >= n) {
                return;
            }
            Thread.onSpinWait();
        }
    }

    /** A token renewed in the kubeconfig since the client was built (by an exec plugin, by a login) is used after a 401. */
    @Test
    void aTokenRenewedInTheKubeconfigIsSentAgainAfterA401(@TempDir Path dir) throws Exception {
        java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
        Path f = dir.resolve("config");
        com.sun.net.httpserver.HttpServer server = server(requests, token -> {
            if ("Bearer renewed".equals(token)) {
                return 200;
            }
            try {
                // The user logs in again while the first request is under way.
                Files.writeString(f, Files.readString(f).replace("token: t", "token: renewed"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return 401;
        });
        try {
            Files.writeString(f, KUBECONFIG.replace("https://127.0.0.1:1111", "http://127.0.0.1:" + server.getAddress().getPort())
                    .replace("{token: t}", "{token: t}"));
            try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", f.toString())))) {
                assertTrue(kube.client().configMaps().inNamespace("a").list().getItems().isEmpty());
            }
            assertEquals(2, requests.get(), "refused with the old token, answered with the renewed one");
        } finally {
            server.stop(0);
        }
    }

    /**
     * Before the server has answered once, a request that gets no answer is retried once, not three times: the wrong
     * token's case on the real API server, whose 401 JDK 17's client loses to the GOAWAY that follows it
     * (KubeConnectionIT). Once it has answered, a failed request gets the configured retries again.
     */
    @Test
    void aRequestGettingNoAnswerIsRetriedOnceUntilTheServerHasAnswered(@TempDir Path dir) throws Exception {
        java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean answering = new java.util.concurrent.atomic.AtomicBoolean();
        com.sun.net.httpserver.HttpServer server = server(requests, token -> answering.getAndSet(false) ? 200 : 0);
        try {
            Path f = Files.writeString(dir.resolve("config"), KUBECONFIG.replace("https://127.0.0.1:1111",
                    "http://127.0.0.1:" + server.getAddress().getPort()));
            try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", f.toString())))) {
                var e = assertThrows(io.fabric8.kubernetes.client.KubernetesClientException.class,
                        () -> kube.client().configMaps().inNamespace("a").list());
                assertTrue(!KubeErrors.answered(e), e.toString());
                // Each attempt reaches the server twice: JDK's client sends a GET again once itself when its HTTP/1.1
                // connection closes before the answer (jdk.internal.net.http.MultiExchange).
                assertEquals(2 * 2, requests.getAndSet(0), "sent, and retried once");
                answering.set(true);
                assertTrue(kube.client().configMaps().inNamespace("a").list().getItems().isEmpty());
                assertEquals(1, requests.getAndSet(0));
                assertThrows(io.fabric8.kubernetes.client.KubernetesClientException.class,
                        () -> kube.client().configMaps().inNamespace("b").list());
                assertEquals(4 * 2, requests.get(), "after an answer: sent, and retried three times (the default)");
            }
        } finally {
            server.stop(0);
        }
    }
}

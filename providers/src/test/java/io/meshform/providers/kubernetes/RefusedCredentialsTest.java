package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.spi.ProviderSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request JDK 17's HTTP/2 client failed with "GOAWAY received" before the server answered anything is explained by
 * one HTTP/1.1 request with the same credentials: a 401 there is said as refused credentials, naming the kubeconfig
 * user and file. The fake server here speaks HTTP/1.1 only and records what it was asked and how; the GOAWAY itself
 * is the IOException the JDK's client throws (jdk.internal.net.http.Http2Connection), which only a real HTTP/2 server
 * sends (KubeConnectionIT).
 */
class RefusedCredentialsTest {
    private static final String TOKEN = "SECRET-TOKEN-4711";
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private HttpServer server;
    /** What the fake server answers now: a test changes it mid-run, as a token that expires does. */
    private final java.util.concurrent.atomic.AtomicInteger status = new java.util.concurrent.atomic.AtomicInteger();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private int serve(int first) throws IOException {
        status.set(first);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", x -> {
            asked.add(x.getRequestMethod() + " " + x.getRequestURI() + " " + x.getProtocol() + " "
                    + x.getRequestHeaders().getFirst("Authorization"));
            x.sendResponseHeaders(status.get(), -1);
            x.close();
        });
        server.start();
        return server.getAddress().getPort();
    }

    private static Path kubeconfig(Path dir, int port, String user) throws IOException {
        return Files.writeString(dir.resolve("config"), """
                apiVersion: v1
                kind: Config
                current-context: dev
                clusters:
                - {name: c, cluster: {server: http://127.0.0.1:%d}}
                contexts:
                - {name: dev, context: {cluster: c, user: u}}
                users:
                - name: u
                  user:
                %s""".formatted(port, user));
    }

    private static KubernetesClientException goAway() {
        return new KubernetesClientException("Operation: [list] for kind: [ConfigMap] failed.",
                new IOException("/127.0.0.1:41234: GOAWAY received"));
    }

    private String explained(Path config, KubernetesClientException e) {
        try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", config.toString())))) {
            kube.client();
            var d = kube.explain("kubernetes.manifest.x", "list", "ConfigMaps", e).diagnostics().get(0);
            return d.summary() + "\n" + d.detail();
        }
    }

    @Test
    void aGoAwayBeforeAnyAnswerIsReadAgainOverHttp11AndA401NamesTheUserAndFile(@TempDir Path dir) throws Exception {
        Path config = kubeconfig(dir, serve(401), "    token: " + TOKEN + "\n");
        String m = explained(config, goAway());
        assertTrue(m.contains("the API server refused the credentials of context dev") && m.contains("(HTTP 401 Unauthorized)"), m);
        assertTrue(m.contains("kubeconfig user `u` (" + config + ")") && m.contains("replace users[].user.token"), m);
        assertFalse(m.contains("GOAWAY") || m.contains(TOKEN), m);
        assertEquals(List.of("GET /api HTTP/1.1 Bearer " + TOKEN), asked, "one request, HTTP/1.1, the same token");
    }

    /**
     * A token refused after the server had answered (expired or revoked mid-run): kube-apiserver answers that 401 with
     * a GOAWAY too, on the connection the earlier answers came over, and JDK 17 loses it the same way. Before, the
     * probe was skipped after an answer and the user read the raw GOAWAY.
     */
    @Test
    void aGoAwayAfterTheServerHadAnsweredIsReadAgainToo(@TempDir Path dir) throws Exception {
        Path config = kubeconfig(dir, serve(404), "    token: " + TOKEN + "\n");
        try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", config.toString())))) {
            kube.client().namespaces().withName("gone").get();  // answered: 404 counts
            assertTrue(kube.answered().toCompletableFuture().isDone());
            assertEquals(1, asked.size(), "the success path sends nothing more");
            status.set(401);
            for (int i = 0; i < 2; i++) {
                var d = kube.explain("kubernetes.manifest.x", "list", "ConfigMaps", goAway()).diagnostics().get(0);
                String m = d.summary() + "\n" + d.detail();
                assertTrue(m.contains("the API server refused the credentials of context dev") && m.contains("(HTTP 401 Unauthorized)")
                        && m.contains("kubeconfig user `u` (" + config + ")"), m);
                assertFalse(m.contains("GOAWAY") || m.contains(TOKEN) || m.contains("Requests after the refused one are not sent"), m);
            }
            assertEquals(List.of("GET /api HTTP/1.1 Bearer " + TOKEN), asked.subList(1, asked.size()),
                    "one HTTP/1.1 request for both failures: its 401 is remembered");
        }
    }

    /** A GOAWAY after an answer whose probe is answered (the server rebalancing, not refusing) stays a GOAWAY. */
    @Test
    void aGoAwayAfterAnAnswerThatIsNotARefusalKeepsItsWording(@TempDir Path dir) throws Exception {
        Path config = kubeconfig(dir, serve(404), "    token: " + TOKEN + "\n");
        try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", config.toString())))) {
            kube.client().namespaces().withName("gone").get();
            status.set(200);
            String m = kube.explain("kubernetes.manifest.x", "list", "ConfigMaps", goAway()).getMessage();
            assertTrue(m.contains("HTTP/2 GOAWAY") && !m.contains("HTTP 401"), m);
            assertEquals(2, asked.size());
            // a restart's GOAWAY is not kept as the answer: the token refused later is still found, and then kept
            status.set(401);
            m = kube.explain("kubernetes.manifest.x", "list", "ConfigMaps", goAway()).getMessage();
            assertTrue(m.contains("HTTP 401") && !m.contains("GOAWAY"), m);
            kube.explain("kubernetes.manifest.x", "list", "Secrets", goAway());
            assertEquals(3, asked.size());
        }
    }

    @Test
    void anAnswerOtherThan401KeepsTheGoAwayMessage(@TempDir Path dir) throws Exception {
        String m = explained(kubeconfig(dir, serve(200), "    token: " + TOKEN + "\n"), goAway());
        assertTrue(m.contains("HTTP/2 GOAWAY") && !m.contains("HTTP 401"), m);
        assertEquals(1, asked.size());
    }

    @Test
    void otherFailuresSendNothingMore(@TempDir Path dir) throws Exception {
        explained(kubeconfig(dir, serve(401), "    token: " + TOKEN + "\n"),
                new KubernetesClientException("x", new java.net.ConnectException("Connection refused")));
        explained(kubeconfig(dir, server.getAddress().getPort(), "    token: " + TOKEN + "\n"),
                new KubernetesClientException("Forbidden", 403, null));
        assertEquals(List.of(), asked);
    }

    @Test
    void anExecPluginsRefusedTokenIsSaidWithTheExpiryItGave(@TempDir Path dir) throws Exception {
        Path plugin = Files.writeString(dir.resolve("sso"), "#!/bin/sh\necho '{\"apiVersion\":"
                + "\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"" + TOKEN
                + "\",\"expirationTimestamp\":\"2020-01-02T03:04:05Z\"}}'\n");
        Files.setPosixFilePermissions(plugin, PosixFilePermissions.fromString("rwx------"));
        String m = explained(kubeconfig(dir, serve(401), """
                    exec:
                      apiVersion: client.authentication.k8s.io/v1
                      command: ./sso
                """), goAway());
        assertTrue(m.contains("the credential its exec plugin " + plugin + " gave was refused (it expired at"
                + " 2020-01-02T03:04:05Z") && m.contains("log in again"), m);
        assertFalse(m.contains(TOKEN), m);
    }

    @Test
    void anExpiryStillAheadIsNotCalledExpired(@TempDir Path dir) throws Exception {
        Path plugin = Files.writeString(dir.resolve("sso"), "#!/bin/sh\necho '{\"apiVersion\":"
                + "\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"t\","
                + "\"expirationTimestamp\":\"2999-01-01T00:00:00Z\"}}'\n");
        Files.setPosixFilePermissions(plugin, PosixFilePermissions.fromString("rwx------"));
        String m = explained(kubeconfig(dir, serve(401), """
                    exec:
                      apiVersion: client.authentication.k8s.io/v1
                      command: ./sso
                """), goAway());
        assertTrue(m.contains("gave was refused;") && !m.contains("expired at"), m);
    }
}

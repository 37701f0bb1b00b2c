package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.spi.ProviderSettings;
import java.nio.file.Files;
import java.nio.file.Path;
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

    @Test
    void anUnknownHostIsNamed(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("config"), KUBECONFIG.replace("127.0.0.1:1111", "no-such-host.invalid:6443"));
        try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", f.toString())))) {
            var e = assertThrows(DiagnosticsException.class, kube::client);
            assertTrue(e.getMessage().contains("unknown host no-such-host.invalid"), e.getMessage());
        }
    }
}

package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.spi.ProviderSettings;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client meshform builds, against the real API server: whom it trusts, and how many connections it opens. */
@LiveClusterTest
class KubeConnectionIT {
    private static final Pattern CA_DATA = Pattern.compile("certificate-authority-data: *(\\S+)");

    @Test
    void parallelReadsShareTheFirstRequestsConnection(ClusterContext cluster, @TempDir Path dir) throws Exception {
        List<String> namespaces = List.of(cluster.newNamespace(), cluster.newNamespace(), cluster.newNamespace(), cluster.newNamespace());
        URI server = URI.create(cluster.client().getMasterUrl().toString());
        try (CountingProxy proxy = new CountingProxy(server.getHost(), server.getPort())) {
            // The same cluster through a TCP relay on another local port that counts the connections opened.
            String kubeconfig = Files.readString(cluster.kubeconfigPath())
                    .replace(":" + server.getPort(), ":" + proxy.port());
            Path file = Files.writeString(dir.resolve("config"), kubeconfig);
            try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", file.toString())))) {
                kube.client();
                int probe = proxy.accepted(); // the reachability check's plain TCP connect, closed at once
                var listed = ParallelLists.each(namespaces, ns -> kube.client().configMaps().inNamespace(ns).list().getItems().size());
                assertEquals(namespaces.size(), listed.size());
                assertEquals(1, proxy.accepted() - probe, "four reads started together open one TLS connection (was one each)");
                assertEquals(namespaces.size(), kube.requestCount());
            }
        }
    }

    /** Relays TCP connections from a local port to the API server, counting them. */
    static final class CountingProxy implements AutoCloseable {
        private final java.net.ServerSocket server;
        private final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
        private final List<java.net.Socket> open = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

        CountingProxy(String host, int port) throws IOException {
            this(java.net.InetAddress.getLoopbackAddress(), host, port);
        }

        /** Listening on {@code bind} (e.g. 127.0.0.2, an address the API server's certificate does not name). */
        CountingProxy(java.net.InetAddress bind, String host, int port) throws IOException {
            server = new java.net.ServerSocket(0, 50, bind);
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        java.net.Socket in = server.accept();
                        accepted.incrementAndGet();
                        java.net.Socket out = new java.net.Socket(host, port);
                        open.add(in);
                        open.add(out);
                        pump(in, out);
                        pump(out, in);
                    } catch (IOException e) {
                        // closed
                    }
                }
            }, "counting-proxy");
            t.setDaemon(true);
            t.start();
        }

        private static void pump(java.net.Socket from, java.net.Socket to) {
            Thread t = new Thread(() -> {
                try {
                    from.getInputStream().transferTo(to.getOutputStream());
                } catch (IOException e) {
                    // one side closed
                } finally {
                    try {
                        to.shutdownOutput();
                    } catch (IOException ignored) {
                        // already closed
                    }
                }
            }, "counting-proxy-pump");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        int accepted() {
            return accepted.get();
        }

        @Override
        public void close() throws IOException {
            server.close();
            synchronized (open) {
                for (java.net.Socket s : open) {
                    s.close();
                }
            }
        }
    }

    @Test
    void aKubeconfigNamingAnotherCaIsRefusedAsKubectlRefusesIt(ClusterContext cluster, @TempDir Path dir) throws Exception {
        String kubeconfig = Files.readString(cluster.kubeconfigPath());
        Matcher m = CA_DATA.matcher(kubeconfig);
        assertTrue(m.find(), "the test cluster's kubeconfig names its CA as data");
        String foreign;
        try (InputStream in = KubeConnectionIT.class.getResourceAsStream("/tls/ca.pem")) {
            foreign = Base64.getEncoder().encodeToString(in.readAllBytes());
        }
        Path file = Files.writeString(dir.resolve("config"), m.replaceAll("certificate-authority-data: " + foreign));
        try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", file.toString())))) {
            var e = assertThrows(KubernetesClientException.class, () -> kube.client().namespaces().withName("default").get());
            String chain = chain(e);
            assertTrue(chain.contains("certification path") || chain.contains("PKIX"), chain);
            // Something answered: the message says what was refused, not that nothing answered.
            String said = kube.explain("kubernetes.namespace.x", "read", "Namespace default", e).diagnostics().get(0).summary();
            assertTrue(said.startsWith("kubernetes.namespace.x: read Namespace default: the API server's TLS certificate is"
                    + " not signed by a CA meshform trusts for it (the kubeconfig's, or the system's when the kubeconfig"
                    + " names none) (context "), said);
        }
        // The same kubeconfig with the cluster's own CA is trusted.
        try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", cluster.kubeconfigPath().toString())))) {
            assertEquals("default", kube.client().namespaces().withName("default").get().getMetadata().getName());
        }
    }

    /**
     * A kubeconfig that names no CA is checked against the system's trusted CAs, which do not sign the test bed's
     * certificate: the message said "not signed by the CA the kubeconfig names", of a kubeconfig that names none.
     */
    @Test
    void aKubeconfigNamingNoCaIsNotSaidToNameOne(ClusterContext cluster, @TempDir Path dir) throws Exception {
        String kubeconfig = Files.readString(cluster.kubeconfigPath());
        assertTrue(CA_DATA.matcher(kubeconfig).find(), "the test cluster's kubeconfig names its CA as data");
        Path file = Files.writeString(dir.resolve("config"), kubeconfig.replaceAll("(?m)^ *certificate-authority-data:.*\\R", ""));
        try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", file.toString())))) {
            var e = assertThrows(KubernetesClientException.class, () -> kube.client().namespaces().withName("default").get());
            String said = kube.explain("kubernetes.namespace.x", "read", "Namespace default", e).diagnostics().get(0).summary();
            assertTrue(said.startsWith("kubernetes.namespace.x: read Namespace default: the API server's TLS certificate is"
                    + " not signed by a CA meshform trusts for it (the kubeconfig's, or the system's when the kubeconfig"
                    + " names none)"), said);
        }
    }

    /** The server's certificate names 127.0.0.1 and localhost; a relay on 127.0.0.2 reaches it by another address. */
    @Test
    void aCertificateThatDoesNotNameTheAddressIsSaidToBeRefused(ClusterContext cluster, @TempDir Path dir) throws Exception {
        URI server = URI.create(cluster.client().getMasterUrl().toString());
        java.net.InetAddress other = java.net.InetAddress.getByName("127.0.0.2");
        try (CountingProxy proxy = new CountingProxy(other, server.getHost(), server.getPort())) {
            String kubeconfig = Files.readString(cluster.kubeconfigPath())
                    .replace(server.getHost() + ":" + server.getPort(), "127.0.0.2:" + proxy.port());
            Path file = Files.writeString(dir.resolve("config"), kubeconfig);
            try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", file.toString())))) {
                var e = assertThrows(KubernetesClientException.class, () -> kube.client().namespaces().withName("default").get());
                String said = kube.explain("kubernetes.namespace.x", "read", "Namespace default", e).diagnostics().get(0).summary();
                assertTrue(said.startsWith("kubernetes.namespace.x: read Namespace default: the API server's TLS certificate"
                        + " does not name the address the kubeconfig gives (No subject alternative names matching IP address"
                        + " 127.0.0.2 found)"), said);
            }
        }
    }

    @Test
    void aTokenTheServerDoesNotAcceptIsReportedAsCredentialsNotAsAnUnreachableCluster(ClusterContext cluster,
                                                                                     @TempDir Path dir) throws Exception {
        String kubeconfig = Files.readString(cluster.kubeconfigPath())
                .replaceAll("client-certificate-data: *\\S+", "token: not-a-token-of-this-cluster")
                .replaceAll("\\n *client-key-data: *\\S+", "");
        assertTrue(kubeconfig.contains("token: not-a-token") && !kubeconfig.contains("client-key-data"), kubeconfig);
        Path file = Files.writeString(dir.resolve("config"), kubeconfig);
        try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", file.toString(),
                "requestRetries", "0")))) {
            // Reads in parallel, as a plan's are: kube-apiserver 1.36 answers the first with 401 and closes the HTTP/2
            // connection (GOAWAY), and JDK 17's client may fail any of them, the first too, with an IOException.
            Map<String, String> messages = ParallelLists.each(List.of("default", "kube-system", "kube-public"), ns -> {
                var e = assertThrows(KubernetesClientException.class, () -> kube.client().configMaps().inNamespace(ns).list());
                return kube.explain("kubernetes.manifest.x", "list", "ConfigMaps in " + ns, e).getMessage();
            });
            for (String m : messages.values()) {
                assertTrue(!m.contains("no answer from the API server") && !m.contains("CA match"), m);
                assertTrue(m.contains("HTTP 401") || m.contains("GOAWAY") && m.contains("token or client certificate"), m);
            }
            assertTrue(!kube.answered().toCompletableFuture().isDone(), "a refused request is no answer: istioctl analyze waits");
        }
    }

    /**
     * A wrong token with the default retries, as a plan runs. kube-apiserver answers 401 and closes the HTTP/2
     * connection (GOAWAY); JDK 17's client fails the request with an IOException instead of reading the 401 (JDK 25's
     * reads it), and fabric8 retries that on a new connection. Before the server's first answer a request is retried
     * once, not three times (with growing pauses): the refusal is reported after at most two attempts per read.
     */
    @Test
    void aRefusedTokenIsReportedWithoutRoundsOfRetries(ClusterContext cluster, @TempDir Path dir) throws Exception {
        URI server = URI.create(cluster.client().getMasterUrl().toString());
        try (CountingProxy proxy = new CountingProxy(server.getHost(), server.getPort())) {
            String kubeconfig = Files.readString(cluster.kubeconfigPath())
                    .replace(":" + server.getPort(), ":" + proxy.port())
                    .replaceAll("client-certificate-data: *\\S+", "token: not-a-token-of-this-cluster")
                    .replaceAll("\\n *client-key-data: *\\S+", "");
            Path file = Files.writeString(dir.resolve("config"), kubeconfig);
            try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", file.toString())))) {
                kube.client();
                int probe = proxy.accepted();
                Map<String, String> messages = ParallelLists.each(List.of("default", "kube-system", "kube-public", "kube-node-lease"), ns -> {
                    var e = assertThrows(KubernetesClientException.class, () -> kube.client().configMaps().inNamespace(ns).list());
                    return kube.explain("kubernetes.manifest.x", "list", "ConfigMaps in " + ns, e).getMessage();
                });
                for (String m : messages.values()) {
                    // A GOAWAY before any answer is read again over HTTP/1.1 (RefusedCredentials): always the 401.
                    assertTrue(m.contains("the API server refused the credentials of context") && m.contains("(HTTP 401 Unauthorized)")
                            && m.contains("replace users[].user.token") && !m.contains("not-a-token-of-this-cluster"), m);
                }
                int connections = proxy.accepted() - probe;
                // Two attempts per read at most (6 in a run of this lane's; with three retries 12 and 15), and the
                // one HTTP/1.1 request that reads the 401.
                assertTrue(connections <= 2 * messages.size() + 1, "each read sent at most twice; connections: " + connections);
            }
        }
    }

    private static String chain(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c).append(" <- ");
        }
        return sb.toString();
    }
}

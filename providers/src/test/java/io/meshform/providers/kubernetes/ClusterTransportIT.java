package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.spi.ProviderSettings;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A kubeconfig cluster's {@code proxy-url} and {@code insecure-skip-tls-verify}, against the real API server: meshform
 * goes the way kubectl goes ({@link ClusterTransport}).
 */
@LiveClusterTest
class ClusterTransportIT {

    @Test
    void everyRequestToAnHttpsServerGoesThroughTheClustersHttpProxyUrl(ClusterContext cluster, @TempDir Path dir) throws Exception {
        URI server = URI.create(cluster.client().getMasterUrl().toString());
        try (ConnectProxy proxy = new ConnectProxy()) {
            String kubeconfig = Files.readString(cluster.kubeconfigPath()).replaceFirst("(?m)^(\\s+)server: (.*)$",
                    "$1server: $2\n$1proxy-url: http://127.0.0.1:" + proxy.port());
            Path file = Files.writeString(dir.resolve("config"), kubeconfig);
            try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", file.toString())))) {
                assertTrue(kube.client().namespaces().withName("default").get() != null);
            }
            // fabric8 alone filed the http:// proxy-url for http:// servers only: the request went straight to the server
            assertEquals(List.of("CONNECT " + server.getHost() + ":" + server.getPort()), proxy.requests().stream().distinct().toList());
        }
    }

    @Test
    void insecureSkipTlsVerifyBesideTheClustersCaIsRefusedBeforeAnyRequest(ClusterContext cluster, @TempDir Path dir) throws Exception {
        String kubeconfig = Files.readString(cluster.kubeconfigPath()).replaceFirst("(?m)^(\\s+)server: (.*)$",
                "$1server: $2\n$1insecure-skip-tls-verify: true");
        Path file = Files.writeString(dir.resolve("config"), kubeconfig);
        try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", file.toString())))) {
            // fabric8 alone took the flag and listed the namespaces without checking the server's certificate
            DiagnosticsException e = assertThrows(DiagnosticsException.class, kube::client);
            assertTrue(e.getMessage().contains("sets insecure-skip-tls-verify: true and names a CA"), e.getMessage());
            assertEquals(0, kube.requestCount());
        }
    }

    /** An HTTP proxy that answers CONNECT by relaying to the host and port asked for, recording each request line. */
    static final class ConnectProxy implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
        private final List<Socket> open = Collections.synchronizedList(new ArrayList<>());

        ConnectProxy() throws IOException {
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket in = server.accept();
                        open.add(in);
                        daemon(() -> serve(in));
                    } catch (IOException e) {
                        // closed
                    }
                }
            }, "connect-proxy");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        List<String> requests() {
            return List.copyOf(requests);
        }

        private void serve(Socket in) {
            try {
                String head = readHead(in.getInputStream());
                String line = head.lines().findFirst().orElse("");
                if (line.isEmpty()) {
                    in.close();  // meshform's reachability check: a TCP connect, closed at once
                    return;
                }
                String[] parts = line.split(" ");
                requests.add(parts.length > 1 ? parts[0] + " " + parts[1] : line);
                if (parts.length < 2 || !parts[0].equals("CONNECT")) {
                    in.getOutputStream().write("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    in.close();
                    return;
                }
                int colon = parts[1].lastIndexOf(':');
                Socket out = new Socket(parts[1].substring(0, colon), Integer.parseInt(parts[1].substring(colon + 1)));
                open.add(out);
                in.getOutputStream().write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                in.getOutputStream().flush();
                pump(out.getInputStream(), in.getOutputStream());
                in.getInputStream().transferTo(out.getOutputStream());
            } catch (IOException e) {
                // a side closed
            }
        }

        private static String readHead(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1) {
                head.write(b);
                byte[] h = head.toByteArray();
                int n = h.length;
                if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                    break;
                }
            }
            return head.toString(StandardCharsets.US_ASCII);
        }

        private static void pump(InputStream from, OutputStream to) {
            daemon(() -> {
                try {
                    from.transferTo(to);
                } catch (IOException e) {
                    // closed
                }
            });
        }

        private static void daemon(Runnable r) {
            Thread t = new Thread(r, "connect-proxy-relay");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws IOException {
            server.close();
            synchronized (open) {
                for (Socket s : open) {
                    s.close();
                }
            }
        }
    }
}

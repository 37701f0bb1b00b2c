package io.meshform.cli;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The training run's fake kube-apiserver on a loopback port: {@link TrainingCluster} over HTTPS, with a CA and a
 * client certificate as a kubeconfig of a real cluster has them, so the training loads what a real run loads to
 * connect: fabric8's in-memory keystore of the client key, the TLS 1.3 handshake and the X.509 path check.
 * <p>
 * It speaks HTTP/1.1 only (ALPN offers just {@code http/1.1}, so the JDK client falls back from HTTP/2): an HTTP/2
 * server is a large piece of code to keep for a training run, and the classes it would add (the JDK client's
 * HTTP/2 frames and HPACK) are a small part of what a real run loads that the old training missed
 * (BENCHMARKS.md, issue 18, midday session: training).
 * <p>
 * The keys under {@code training/} protect nothing: they are public, made once with openssl for this server, which
 * listens on 127.0.0.1 only for the seconds of one training run (the CA signs only the server and client
 * certificates next to it, and no trust store but the training's kubeconfig names it).
 */
final class TrainingApiServer implements AutoCloseable {
    // Static but not state: never written by meshform, only passed to KeyStore and KeyManagerFactory, which read it.
    private static final char[] NO_PASSWORD = "training".toCharArray();

    private final TrainingCluster cluster;
    private final SSLServerSocket socket;

    private TrainingApiServer(TrainingCluster cluster, SSLServerSocket socket) {
        this.cluster = cluster;
        this.socket = socket;
    }

    /** Listens on a free loopback port and answers from {@code cluster} until closed. */
    static TrainingApiServer start(TrainingCluster cluster) throws IOException {
        SSLServerSocket socket = (SSLServerSocket) serverContext().getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        SSLParameters params = socket.getSSLParameters();
        params.setApplicationProtocols(new String[] {"http/1.1"});
        // kube-apiserver asks for a client certificate without requiring one; so does this.
        params.setWantClientAuth(true);
        socket.setSSLParameters(params);
        TrainingApiServer server = new TrainingApiServer(cluster, socket);
        Thread acceptor = new Thread(server::acceptEach, "training-apiserver");
        acceptor.setDaemon(true);
        acceptor.start();
        return server;
    }

    /** A kubeconfig for this server, with its CA and the client certificate (as kubeadm's admin.conf has them). */
    Path writeKubeconfig(Path file) throws IOException {
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters: [{name: training, cluster: {server: "https://127.0.0.1:%d", certificate-authority-data: %s}}]
                users: [{name: training, user: {client-certificate-data: %s, client-key-data: %s}}]
                contexts: [{name: training, context: {cluster: training, user: training}}]
                current-context: training
                """.formatted(socket.getLocalPort(), base64("ca.crt"), base64("client.crt"), base64("client.key")));
        return file;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private void acceptEach() {
        while (!socket.isClosed()) {
            try {
                Socket connection = socket.accept();
                Thread t = new Thread(() -> serve(connection), "training-apiserver-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                // closed at the end of the training, or one failed handshake: the loop condition decides
            }
        }
    }

    /** HTTP/1.1 with keep-alive: requests on one connection until the client closes it. */
    private void serve(Socket connection) {
        try (connection) {
            connection.setSoTimeout(30_000);
            InputStream in = new BufferedInputStream(connection.getInputStream());
            OutputStream out = new BufferedOutputStream(connection.getOutputStream());
            String requestLine;
            while ((requestLine = line(in)) != null && !requestLine.isEmpty()) {
                String[] parts = requestLine.split(" ");
                long length = 0;
                boolean chunked = false;
                for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
                    String h = header.toLowerCase(Locale.ROOT);
                    if (h.startsWith("content-length:")) {
                        length = Long.parseLong(h.substring(15).trim());
                    } else if (h.startsWith("transfer-encoding:") && h.contains("chunked")) {
                        chunked = true;
                    }
                }
                byte[] body = chunked ? chunked(in) : in.readNBytes((int) length);
                TrainingCluster.Response r = cluster.answer(parts[0], parts[1], body);
                byte[] bytes = r.body().getBytes(StandardCharsets.UTF_8);
                out.write(("HTTP/1.1 " + r.code() + " " + (r.code() < 400 ? "OK" : "Error") + "\r\n"
                        + "Content-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(bytes);
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            // the client went away (or sent what this small server does not read): it sees a closed connection
        }
    }

    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (String size = line(in); size != null; size = line(in)) {
            int n = Integer.parseInt(size.split(";")[0].trim(), 16);
            body.write(in.readNBytes(n));
            line(in);
            if (n == 0) {
                break;
            }
        }
        return body.toByteArray();
    }

    /** One CRLF-terminated line, or null at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        return c == -1 && b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
    }

    private static SSLContext serverContext() {
        try {
            CertificateFactory x509 = CertificateFactory.getInstance("X.509");
            Certificate ca = x509.generateCertificate(new ByteArrayInputStream(resource("ca.crt")));
            Certificate cert = x509.generateCertificate(new ByteArrayInputStream(resource("server.crt")));
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("server", KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(
                    pem(new String(resource("server.key"), StandardCharsets.US_ASCII)))),
                    NO_PASSWORD, new Certificate[] {cert, ca});
            KeyManagerFactory km = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            km.init(keys, NO_PASSWORD);
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("ca", ca);
            TrustManagerFactory tm = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tm.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(km.getKeyManagers(), tm.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("the training's TLS keys (io/meshform/cli/training/ in the jar) do not load: "
                    + e.getMessage() + "; the jar is incomplete, build it again", e);
        }
    }

    private static byte[] pem(String text) {
        return Base64.getMimeDecoder().decode(text.replaceAll("-----[A-Z ]+-----", ""));
    }

    private static String base64(String name) {
        return Base64.getEncoder().encodeToString(resource(name));
    }

    private static byte[] resource(String name) {
        try (InputStream in = TrainingApiServer.class.getResourceAsStream("training/" + name)) {
            if (in == null) {
                throw new IllegalStateException("io/meshform/cli/training/" + name + " is missing from the jar: build it again");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

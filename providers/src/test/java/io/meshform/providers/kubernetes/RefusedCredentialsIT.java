package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.spi.ProviderSettings;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials the real API server refuses, said as the refused credentials they are: a token that stops being valid
 * after the server has answered it (kube-apiserver answers that 401 with a GOAWAY on the connection its earlier
 * answers came over, and JDK 17's client loses the status), and a client certificate signed by a CA the server does
 * not trust for clients.
 */
@LiveClusterTest
class RefusedCredentialsIT {

    /** The test cluster's kubeconfig with a bearer token in place of the admin's client certificate and key. */
    private static Path withToken(ClusterContext cluster, Path dir, String token) throws Exception {
        String kubeconfig = Files.readString(cluster.kubeconfigPath())
                .replaceAll("client-certificate-data: *\\S+", "token: " + token)
                .replaceAll("\\n *client-key-data: *\\S+", "");
        return Files.writeString(dir.resolve("config"), kubeconfig);
    }

    @Test
    void aTokenRevokedAfterTheServerHadAnsweredItIsSaidAsRefused(ClusterContext cluster, @TempDir Path dir) throws Exception {
        String ns = cluster.newNamespace();
        KubernetesClient admin = cluster.client();
        admin.serviceAccounts().inNamespace(ns).resource(new ServiceAccountBuilder()
                .withNewMetadata().withName("mid-run").endMetadata().build()).create();
        admin.rbac().roleBindings().inNamespace(ns).resource(new RoleBindingBuilder()
                .withNewMetadata().withName("mid-run-view").endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole").withName("view").endRoleRef()
                .addNewSubject().withKind("ServiceAccount").withName("mid-run").withNamespace(ns).endSubject()
                .build()).create();
        String token = admin.serviceAccounts().inNamespace(ns).withName("mid-run").tokenRequest(new TokenRequestBuilder()
                .withNewSpec().withExpirationSeconds(600L).endSpec().build()).getStatus().getToken();
        Path config = withToken(cluster, dir, token);
        try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", config.toString())))) {
            kube.client().configMaps().inNamespace(ns).list();
            assertTrue(kube.answered().toCompletableFuture().isDone());
            long sent = kube.requestCount();

            // The token dies with its ServiceAccount (the authenticator looks the account up by name and UID).
            admin.serviceAccounts().inNamespace(ns).withName("mid-run").delete();
            awaitRefused(config, ns);

            var e = assertThrows(KubernetesClientException.class, () -> kube.client().configMaps().inNamespace(ns).list());
            System.out.println("mid-run refusal as fabric8 reports it: goAway=" + KubeErrors.goAway(e) + ", code=" + KubeErrors.code(e));
            var d = kube.explain("kubernetes.manifest.x", "list", "ConfigMaps in " + ns, e).diagnostics().get(0);
            String m = d.summary() + "\n" + d.detail();
            assertTrue(m.contains("the API server refused the credentials of context") && m.contains("(HTTP 401 Unauthorized)")
                    && m.contains("kubeconfig user `") && m.contains("replace users[].user.token"), m);
            assertFalse(m.contains("GOAWAY") || m.contains(token) || m.contains("Requests after the refused one are not sent"), m);
            assertTrue(kube.requestCount() > sent, "the failing read was sent");
        }
    }

    /** The test cluster's kubeconfig with dir's user.crt and user.key as the user's client certificate and key. */
    private static Path withCertificate(ClusterContext cluster, Path dir) throws Exception {
        String kubeconfig = Files.readString(cluster.kubeconfigPath())
                .replaceAll("client-certificate-data: *\\S+", "client-certificate-data: " + base64(dir.resolve("user.crt")))
                .replaceAll("client-key-data: *\\S+", "client-key-data: " + base64(dir.resolve("user.key")));
        return Files.writeString(dir.resolve("config"), kubeconfig);
    }

    /** Polls with a client of its own (not the connection under test) until the token is refused. */
    private static void awaitRefused(Path config, String ns) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Config c = Config.fromKubeconfig(Files.readString(config));
        c.setRequestRetryBackoffLimit(0);
        try (KubernetesClient probe = new KubernetesClientBuilder().withConfig(c).build()) {
            while (System.nanoTime() < deadline) {
                try {
                    probe.configMaps().inNamespace(ns).list();
                } catch (KubernetesClientException refused) {
                    return;
                }
                Thread.sleep(200);
            }
        }
        throw new AssertionError("the deleted ServiceAccount's token was still accepted after 30 s");
    }

    @Test
    void aClientCertificateOfAnotherCaIsSaidAsACertificateToReplace(ClusterContext cluster, @TempDir Path dir) throws Exception {
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
                "-days", "2", "-subj", "/CN=not-this-clusters-ca");
        openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "user.key", "-out", "user.csr",
                "-subj", "/O=system:masters/CN=foreign-admin");
        openssl(dir, "x509", "-req", "-in", "user.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "user.crt", "-days", "2");
        Path config = withCertificate(cluster, dir);
        try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", config.toString())))) {
            var e = assertThrows(KubernetesClientException.class, () -> kube.client().configMaps().inNamespace("default").list());
            System.out.println("foreign certificate as fabric8 reports it: goAway=" + KubeErrors.goAway(e) + ", code="
                    + KubeErrors.code(e) + ": " + e.getMessage());
            var d = kube.explain("kubernetes.manifest.x", "list", "ConfigMaps in default", e).diagnostics().get(0);
            String m = d.summary() + "\n" + d.detail();
            System.out.println(m);
            // JDK 17 offers no certificate the server's CertificateRequest does not name the issuer of: anonymous
            assertTrue(m.contains("took the request as anonymous") && m.contains("without the client certificate of context")
                    && m.contains("its client certificate was not sent") && m.contains("users[].user.client-certificate-data"), m);
            assertFalse(m.contains("token") || m.contains("GOAWAY") || m.contains("RBAC"), m);
        }
    }

    @Test
    void aUserWithoutCredentialsIsSaidToHaveNone(ClusterContext cluster, @TempDir Path dir) throws Exception {
        String kubeconfig = Files.readString(cluster.kubeconfigPath())
                .replaceAll("\\n *client-certificate-data: *\\S+", "")
                .replaceAll("\\n *client-key-data: *\\S+", "");
        assertFalse(kubeconfig.contains("client-key") || kubeconfig.contains("token:"), kubeconfig);
        Path config = Files.writeString(dir.resolve("config"), kubeconfig);
        try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", config.toString())))) {
            var e = assertThrows(KubernetesClientException.class, () -> kube.client().configMaps().inNamespace("default").list());
            var d = kube.explain("kubernetes.manifest.x", "list", "ConfigMaps in default", e).diagnostics().get(0);
            String m = d.summary() + "\n" + d.detail();
            assertTrue(m.contains("took the request as anonymous (HTTP 403 for system:anonymous)") && m.contains("gives no credentials")
                    && m.contains("has no token, client certificate, exec plugin or auth provider"), m);
            assertFalse(m.contains("GOAWAY"), m);
        }
    }

    /**
     * A client certificate the cluster's own CA signed, expired: offered (its issuer is the one the server names), and
     * refused with 401 by the x509 authenticator (k8s.io/apiserver pkg/authentication/request/x509/x509.go verifies
     * the dates), so said as refused credentials with the expiry and "renew it". Needs the test bed's CA key.
     */
    @Test
    void anExpiredClientCertificateOfTheClustersCaIsSaidExpired(ClusterContext cluster, @TempDir Path dir) throws Exception {
        Path pki = cluster.kubeconfigPath().getParent().resolve("pki");
        // A missing key fails the test rather than skipping it: the ITs run on bin/dev-cluster, which always has one.
        org.junit.jupiter.api.Assertions.assertTrue(Files.exists(pki.resolve("ca.key")),
                "the test bed's CA key " + pki.resolve("ca.key") + " is missing: run the ITs on bin/dev-cluster");
        Files.writeString(dir.resolve("index.txt"), "");
        Files.writeString(dir.resolve("serial"), "01\n");
        Files.writeString(dir.resolve("ca.cnf"), """
                [ca]
                default_ca = d
                [d]
                dir = .
                database = index.txt
                serial = serial
                new_certs_dir = .
                default_md = sha256
                policy = p
                [p]
                commonName = supplied
                organizationName = optional
                """);
        openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "user.key", "-out", "user.csr",
                "-subj", "/O=system:masters/CN=expired-admin");
        openssl(dir, "ca", "-batch", "-config", "ca.cnf", "-cert", pki.resolve("ca.crt").toString(), "-keyfile",
                pki.resolve("ca.key").toString(), "-in", "user.csr", "-out", "user.crt", "-notext",
                "-startdate", "20200101000000Z", "-enddate", "20200102000000Z");
        Path config = withCertificate(cluster, dir);
        try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", config.toString())))) {
            var e = assertThrows(KubernetesClientException.class, () -> kube.client().configMaps().inNamespace("default").list());
            var d = kube.explain("kubernetes.manifest.x", "list", "ConfigMaps in default", e).diagnostics().get(0);
            String m = d.summary() + "\n" + d.detail();
            System.out.println(m);
            assertTrue(m.contains("the API server refused the credentials of context") && m.contains("(HTTP 401 Unauthorized)")
                    && m.contains("its client certificate expired at 2020-01-02T00:00:00Z; renew it (users[].user.client-certificate-data"), m);
            assertFalse(m.contains("token") || m.contains("GOAWAY"), m);
        }
    }

    private static String base64(Path file) throws Exception {
        return Base64.getEncoder().encodeToString(Files.readAllBytes(file));
    }

    private static void openssl(Path dir, String... args) throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of("openssl"));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "openssl " + String.join(" ", args));
    }
}

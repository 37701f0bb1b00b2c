package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.Test;

/** A kubeconfig's tls-server-name, checked as Go's {@code VerifyHostname} checks a name (client-go, kubectl). */
class ServerNameTrustTest {

    @Test
    void aNameMatchesTheCertificatesAlternativeNamesAsGoMatchesThem() throws Exception {
        X509Certificate cert = KubeconfigTrustTest.cert("named-leaf.pem");
        for (String yes : List.of("api.example.com", "API.Example.COM", "api.example.com.", "x.apps.example.com",
                "trailing.example", "10.1.2.3", "fd00::1", "[fd00:0::1]")) {
            assertTrue(ServerNameTrust.names(cert, yes), yes);
        }
        for (String no : List.of("cn-only.example", "example.com", "apps.example.com", "a.b.apps.example.com",
                "api.example.com.evil", "10.1.2.4", "api.example.co", "", "*.apps.example.com.x")) {
            assertFalse(ServerNameTrust.names(cert, no), no);
        }
    }

    @Test
    void theChainIsCheckedByTheKubeconfigsCaAndTheLeafByTheServerName() throws Exception {
        String ca = Base64.getEncoder().encodeToString(KubeconfigTrustTest.pem("ca.pem"));
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:6443").withCaCertData(ca)
                .withTlsServerName("api.example.com").build();
        X509ExtendedTrustManager tm = (X509ExtendedTrustManager) KubeconfigTrustTest.x509(KubeconfigTrust.of(config).orElseThrow());
        // leaf.pem: signed by ca.pem, for 127.0.0.1 only
        CertificateException e = assertThrows(CertificateException.class,
                () -> tm.checkServerTrusted(new X509Certificate[] {KubeconfigTrustTest.cert("leaf.pem")}, "RSA", (javax.net.ssl.SSLEngine) null));
        assertTrue(e.getMessage().startsWith("the certificate does not name api.example.com, the cluster's tls-server-name"),
                e.getMessage());
        // named-leaf.pem names it, but no CA of the kubeconfig signed it
        assertThrows(CertificateException.class,
                () -> tm.checkServerTrusted(new X509Certificate[] {KubeconfigTrustTest.cert("named-leaf.pem")}, "RSA"));
        assertEquals(1, tm.getAcceptedIssuers().length);
    }

    @Test
    void withoutACaTheSystemsRootsCheckTheChain() throws Exception {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:6443")
                .withTlsServerName("api.example.com").build();
        X509ExtendedTrustManager tm = (X509ExtendedTrustManager) KubeconfigTrustTest.x509(KubeconfigTrust.of(config).orElseThrow());
        assertTrue(tm.getAcceptedIssuers().length > 1, "the JDK's roots");
        assertThrows(CertificateException.class,
                () -> tm.checkServerTrusted(new X509Certificate[] {KubeconfigTrustTest.cert("named-leaf.pem")}, "RSA"));
        Config none = new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:6443").build();
        assertTrue(KubeconfigTrust.of(none).isEmpty(), "no CA and no tls-server-name: fabric8 decides, as before");
        Config insecure = new ConfigBuilder(config).withTrustCerts(true).build();
        assertTrue(KubeconfigTrust.of(insecure).isEmpty(), "insecure-skip-tls-verify: nothing is checked, as in kubectl");
        assertDoesNotThrow(() -> KubeconfigTrust.of(config));
    }
}

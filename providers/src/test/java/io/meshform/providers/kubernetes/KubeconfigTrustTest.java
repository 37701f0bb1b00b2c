package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubeconfigTrustTest {

    static byte[] pem(String name) throws Exception {
        try (InputStream in = KubeconfigTrustTest.class.getResourceAsStream("/tls/" + name)) {
            return in.readAllBytes();
        }
    }

    static X509Certificate cert(String name) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new java.io.ByteArrayInputStream(pem(name)));
    }

    static Config config(String caData) {
        return new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:6443").withCaCertData(caData).build();
    }

    static X509TrustManager x509(TrustManager[] managers) {
        for (TrustManager m : managers) {
            if (m instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new AssertionError("no X509TrustManager");
    }

    @Test
    void theKubeconfigsCaIsTheOnlyAnchorAsInKubectl() throws Exception {
        X509TrustManager tm = x509(KubeconfigTrust.of(config(Base64.getEncoder().encodeToString(pem("ca.pem")))).orElseThrow());
        assertEquals(1, tm.getAcceptedIssuers().length, "the JDK's cacerts are not trusted beside the kubeconfig's CA");
        assertEquals(cert("ca.pem"), tm.getAcceptedIssuers()[0]);
        assertDoesNotThrow(() -> tm.checkServerTrusted(new X509Certificate[] {cert("leaf.pem")}, "RSA"));
        assertThrows(CertificateException.class,
                () -> tm.checkServerTrusted(new X509Certificate[] {cert("foreign-leaf.pem")}, "RSA"),
                "a server certificate from another CA is refused");
    }

    @Test
    void aCaFileIsReadLikeCaData(@TempDir Path dir) throws Exception {
        Path ca = Files.write(dir.resolve("ca.crt"), pem("ca.pem"));
        Config c = new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:6443").withCaCertFile(ca.toString()).build();
        assertEquals(cert("ca.pem"), x509(KubeconfigTrust.of(c).orElseThrow()).getAcceptedIssuers()[0]);
    }

    @Test
    void fabric8DecidesWhenThereIsNoCaOrChecksAreOffOrTheCaIsUnreadable() {
        assertTrue(KubeconfigTrust.of(config(null)).isEmpty(), "no CA: the system's roots, as before");
        Config insecure = config(Base64.getEncoder().encodeToString("x".getBytes()));
        insecure.setTrustCerts(true);
        assertTrue(KubeconfigTrust.of(insecure).isEmpty(), "insecure-skip-tls-verify keeps fabric8's meaning");
        assertTrue(KubeconfigTrust.of(config(Base64.getEncoder().encodeToString("not a certificate".getBytes()))).isEmpty(),
                "unreadable CA data: fabric8 reports it in its own words");
        Config store = config(null);
        store.setTrustStoreFile("/some/truststore.p12");
        assertTrue(KubeconfigTrust.of(store).isEmpty(), "a configured trust store keeps fabric8's meaning");
    }

    @Test
    void theOtherRequestsWaitForTheFirstAtMostTwoSecondsOrTheConnectTimeout() {
        Config c = config(null);
        c.setConnectionTimeout(0);
        assertEquals(2_000, KubeConnection.firstRequestWaitMillis(c));
        c.setConnectionTimeout(500);
        assertEquals(500, KubeConnection.firstRequestWaitMillis(c));
        c.setConnectionTimeout(10_000);
        assertEquals(2_000, KubeConnection.firstRequestWaitMillis(c));
    }

    @Test
    void theClientIsBuiltWithTheConfigsOwnTrustSettingRestored() throws Exception {
        Config c = config(Base64.getEncoder().encodeToString(pem("ca.pem")));
        try (KubernetesClient client = KubeConnection.build(c, new RequestCounter(), new FirstRequestGate(1000), new ClusterAnswered())) {
            assertFalse(c.isTrustCerts());
            assertFalse(client.getConfiguration().isTrustCerts(), "the client never sees trust-all");
        }
    }
}

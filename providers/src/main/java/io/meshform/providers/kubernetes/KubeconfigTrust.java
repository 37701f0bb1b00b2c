package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.StandardHttpClientBuilder;
import io.meshform.state.KubeconfigCa;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Whom the client trusts when the kubeconfig names the cluster's CA: that CA alone, as kubectl does. client-go
 * (k8s.io/client-go/transport/transport.go, {@code rootCertPool}) builds its root pool from the CA data only and
 * falls back to the system roots only when there is none. fabric8 instead loads the JDK's whole {@code cacerts}
 * (about 140 certificates) and adds the CA to it, which costs about 0.1 s of CPU at every start and also trusts
 * any public CA for the API server's name. Without a CA in the kubeconfig, with {@code insecure-skip-tls-verify}
 * or with fabric8's own trust-store setting, nothing changes here and fabric8 decides as before.
 */
final class KubeconfigTrust {
    private KubeconfigTrust() {
    }

    /**
     * The trust managers of the kubeconfig's CA alone, or empty when fabric8's own choice applies: no CA named,
     * TLS checks switched off, a trust store configured, or CA data this parser cannot read (fabric8 then reports
     * it in its own words, as before). With a {@code tls-server-name}, the certificate is checked against that name
     * ({@link ServerNameTrust}), under the kubeconfig's CA or, without one, the system's roots.
     */
    static Optional<TrustManager[]> of(Config config) {
        if (config.isTrustCerts() || config.getTrustStoreFile() != null && !config.getTrustStoreFile().isEmpty()) {
            return Optional.empty();
        }
        String serverName = config.getTlsServerName() == null || config.getTlsServerName().isBlank()
                ? null : config.getTlsServerName().strip();
        List<Certificate> certs = KubeconfigCa.certificates(config.getCaCertData(), config.getCaCertFile());
        boolean caNamed = config.getCaCertData() != null && !config.getCaCertData().isBlank()
                || config.getCaCertFile() != null && !config.getCaCertFile().isBlank();
        if (certs.isEmpty() && (serverName == null || caNamed)) {
            return Optional.empty();
        }
        try {
            KeyStore anchors = null;
            if (!certs.isEmpty()) {
                anchors = KeyStore.getInstance(KeyStore.getDefaultType());
                anchors.load(null, null);
                int i = 0;
                for (Certificate c : certs) {
                    anchors.setCertificateEntry("kubeconfig-ca-" + i++, c);
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(anchors);  // null: the system's roots
            TrustManager[] managers = tmf.getTrustManagers();
            return Optional.of(serverName == null ? managers : ServerNameTrust.wrap(managers, serverName));
        } catch (GeneralSecurityException | IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Puts {@code trust} into the HTTP client being built, beside the key managers fabric8 made from the
     * kubeconfig's client certificate. A builder that does not show them cannot be given the CA: that is a
     * programming error, and the run stops rather than go on with the trust-all managers the build started with.
     */
    static void install(HttpClient.Builder builder, TrustManager[] trust) {
        if (!(builder instanceof StandardHttpClientBuilder<?, ?, ?> standard)) {
            throw new IllegalStateException("cannot set the kubeconfig's CA on a " + builder.getClass().getName());
        }
        builder.sslContext(standard.getKeyManagers(), trust);
    }
}

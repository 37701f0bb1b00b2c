package io.meshform.state.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.meshform.state.KubeconfigCa;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.util.HexFormat;
import java.util.List;

/**
 * Which cluster a client talks to, in words that tell two clusters apart without a request: a saved plan made before
 * its state existed is bound to where that state lies, and two clusters' state Secrets of one namespace and name are
 * otherwise the same location (a plan reviewed against staging, applied with production's context).
 *
 * <p>The cluster's CA certificate names it: every cluster has its own (kubeadm, kind, EKS, GKE and AKS each create one
 * per cluster), and it does not change with the address a machine reaches the API server by (a CI runner's internal
 * name against an engineer's load balancer), where the server URL would refuse a plan made on one machine and applied
 * on another. The certificate's DER encoding is hashed, so the same CA given as {@code certificate-authority-data} on
 * one machine and as a file on another is the same cluster. Without a readable CA (TLS checks off, or the system's
 * trust used), the server's scheme, host and port name it instead.
 */
final class ClusterIdentity {
    private ClusterIdentity() {
    }

    /** "the cluster whose CA certificate is sha256:1a2b...", or "the cluster at https://host:6443". */
    static String of(Config config) {
        byte[] ca = firstCertificate(config);
        if (ca != null) {
            return "the cluster whose CA certificate is sha256:" + HexFormat.of().formatHex(sha256(ca), 0, 8);
        }
        return "the cluster at " + server(config.getMasterUrl());
    }

    private static byte[] firstCertificate(Config config) {
        if (config.isTrustCerts()) {
            return null;  // the CA named is not checked, so it does not name the cluster this client reaches
        }
        List<Certificate> certs = KubeconfigCa.certificates(config.getCaCertData(), config.getCaCertFile());
        try {
            return certs.isEmpty() ? null : certs.get(0).getEncoded();
        } catch (CertificateEncodingException e) {
            return null;  // unreadable here: the client reports it in its own words when it connects
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** Scheme, host and port only: a kubeconfig may put credentials in a URL's user part or query. */
    private static String server(String url) {
        try {
            URI u = URI.create(String.valueOf(url));
            if (u.getHost() == null) {
                return "(no server named)";
            }
            return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort());
        } catch (IllegalArgumentException e) {
            return "(an unreadable server URL)";
        }
    }
}

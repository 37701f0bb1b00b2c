package io.meshform.state;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.List;

/**
 * The CA certificates a kubeconfig names, read as fabric8's client reads them
 * ({@code io.fabric8.kubernetes.client.internal.CertUtils#getInputStreamFromDataOrFile}): the
 * {@code certificate-authority-data} as base64 (as raw PEM text when it is not base64), else the
 * {@code certificate-authority} file. Both the client's trust (providers' KubeconfigTrust) and the name of the cluster a
 * state Secret is in (state-kubernetes' ClusterIdentity) must read the same certificates the client checks the server
 * with, so one reader serves both; it is here, beside {@link ServerCertificateRefused}, because both modules depend on
 * this one and it needs nothing but the JDK.
 */
public final class KubeconfigCa {
    private KubeconfigCa() {
    }

    /**
     * The certificates, in the order given; empty when none is named or they cannot be read (the client then reports it
     * in its own words when it connects).
     */
    public static List<Certificate> certificates(String data, String file) {
        try {
            byte[] pem = pem(data, file);
            if (pem == null) {
                return List.of();
            }
            return List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem)));
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            return List.of();
        }
    }

    private static byte[] pem(String data, String file) throws IOException {
        if (data != null && !data.isEmpty()) {
            try {
                return Base64.getDecoder().decode(data);
            } catch (IllegalArgumentException notBase64) {
                return data.getBytes(StandardCharsets.UTF_8);
            }
        }
        return file == null || file.isEmpty() ? null : Files.readAllBytes(Path.of(file));
    }
}

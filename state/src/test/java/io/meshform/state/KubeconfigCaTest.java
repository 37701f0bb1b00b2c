package io.meshform.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test CA is {@code openssl req -x509 -newkey ec} (P-256), made for tests, nothing else. */
class KubeconfigCaTest {
    @TempDir
    Path dir;

    @Test
    void dataAsBase64OrPemAndAFileGiveTheSameCertificate() throws IOException {
        byte[] pem = pem();
        List<Certificate> base64 = KubeconfigCa.certificates(Base64.getEncoder().encodeToString(pem), null);
        assertEquals(1, base64.size());
        assertEquals(base64, KubeconfigCa.certificates(new String(pem, StandardCharsets.UTF_8), null));
        Path file = Files.write(dir.resolve("ca.crt"), pem);
        assertEquals(base64, KubeconfigCa.certificates(null, file.toString()));
        // The data wins over the file, as in fabric8's client.
        assertEquals(base64, KubeconfigCa.certificates(Base64.getEncoder().encodeToString(pem), dir.resolve("gone").toString()));
    }

    @Test
    void noneNamedOrUnreadableIsNone() {
        assertTrue(KubeconfigCa.certificates(null, null).isEmpty());
        assertTrue(KubeconfigCa.certificates("", "").isEmpty());
        assertTrue(KubeconfigCa.certificates(null, dir.resolve("gone.crt").toString()).isEmpty());
        assertTrue(KubeconfigCa.certificates("bm90IGEgY2VydGlmaWNhdGU=", null).isEmpty());
        assertTrue(KubeconfigCa.certificates("not base64, not PEM", null).isEmpty());
        assertTrue(KubeconfigCa.certificates(null, "bad\0path").isEmpty());
    }

    private static byte[] pem() throws IOException {
        try (InputStream in = KubeconfigCaTest.class.getResourceAsStream("/test-ca/ca.pem")) {
            return in.readAllBytes();
        }
    }
}

package io.meshform.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.security.cert.CertificateExpiredException;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** The refusals the real API server gives are in providers' KubeConnectionIT; these are the ones a test bed cannot make. */
class ServerCertificateRefusedTest {

    @Test
    void anExpiredCertificateIsSaidToBeOutsideItsValidity() {
        SSLHandshakeException handshake = new SSLHandshakeException("PKIX path validation failed");
        handshake.initCause(new CertificateExpiredException("NotAfter: Tue Jan 01 00:00:00 UTC 2030"));
        RuntimeException e = new RuntimeException("An error has occurred.", handshake);
        assertTrue(ServerCertificateRefused.why(e).orElseThrow().contains("outside its validity period"));
    }

    @Test
    void aConnectionThatFailedIsNoRefusedCertificate() {
        assertEquals(Optional.empty(), ServerCertificateRefused.why(
                new RuntimeException("An error has occurred.", new ConnectException("Connection refused"))));
        // A certificate problem outside a handshake (a kubeconfig's unreadable CA data) is the client's to say.
        assertEquals(Optional.empty(), ServerCertificateRefused.why(new RuntimeException("bad",
                new java.security.cert.CertificateException("Could not parse certificate"))));
    }
}

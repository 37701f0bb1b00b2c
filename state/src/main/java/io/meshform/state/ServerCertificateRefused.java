package io.meshform.state;

import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;

/**
 * A request that failed because meshform refused the API server's TLS certificate: something answered at the
 * kubeconfig's address, so "no answer from the API server" would send the user to check that the cluster runs, when
 * the kubeconfig's CA does not sign what answered (a cluster rebuilt with a new CA, another cluster at the same
 * address, or a proxy in between), the certificate does not name the address, or it has expired. The JDK's own
 * exceptions tell these apart (sun.security.validator.PKIXValidator and sun.security.util.HostnameChecker throw them
 * as causes of the handshake's {@link SSLHandshakeException}); client-go says the same things in its own words
 * ("x509: certificate signed by unknown authority", "certificate is valid for ..., not ...", "certificate has
 * expired"). Nothing of a request is sent before the handshake ends.
 *
 * <p>In the state module because every module that talks to a server depends on it (the providers through the engine,
 * the Kubernetes state backend directly), and it needs nothing but the JDK.
 */
public final class ServerCertificateRefused {
    private ServerCertificateRefused() {
    }

    /** Why the server's certificate was refused, in words, or empty when {@code e} is no such failure. */
    public static Optional<String> why(Throwable e) {
        boolean handshake = false;
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            handshake |= t instanceof SSLHandshakeException;
            if (!handshake) {
                continue;
            }
            if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException
                    || t instanceof CertPathValidatorException v && v.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
                return Optional.of("the API server's TLS certificate (or its CA's) is outside its validity period"
                        + " (expired, or the clocks disagree)");
            }
            String message = t.getMessage() == null ? "" : t.getMessage();
            if (t instanceof CertificateException && (message.startsWith("No subject alternative")
                    || message.startsWith("No name matching"))) {
                return Optional.of("the API server's TLS certificate does not name the address the kubeconfig gives ("
                        + message + ")");
            }
            if (t instanceof CertificateException && message.startsWith(NOT_THE_SERVER_NAME)) {
                // the kubeconfig's tls-server-name (the providers' ServerNameTrust), which kubectl checks in its place
                return Optional.of("the API server's TLS " + message.substring("the ".length()));
            }
            if (message.contains("unable to find valid certification path")
                    || t.getClass().getSimpleName().equals("SunCertPathBuilderException")) {
                // Not "the CA the kubeconfig names": a kubeconfig may name none, and the system's CAs then decide.
                return Optional.of("the API server's TLS certificate is not signed by a CA meshform trusts for it (the"
                        + " kubeconfig's, or the system's when the kubeconfig names none)");
            }
        }
        return Optional.empty();
    }

    /** How a refusal of a certificate that does not name the cluster's {@code tls-server-name} begins. */
    public static final String NOT_THE_SERVER_NAME = "the certificate does not name ";

    /** What to check and do, for the message's hint or remedy. */
    public static final String ADVICE = "something answered at this address, but meshform did not trust it, so no"
            + " request was sent: is this the right kubeconfig and context? If the cluster was rebuilt or its CA rotated,"
            + " get its kubeconfig again; `kubectl get --raw /version` with the same context shows what kubectl makes of"
            + " the same certificate";
}

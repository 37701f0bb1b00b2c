package io.meshform.providers.kubernetes;

import java.net.InetAddress;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A kubeconfig cluster's {@code tls-server-name}: the name the API server's certificate must carry, in place of the
 * server URL's host, as kubectl checks it. client-go puts it in {@code tls.Config.ServerName} (k8s.io/client-go/
 * transport/transport.go, {@code TLSConfigFor}), and Go's crypto/tls verifies the chain for that name
 * ({@code x509.VerifyOptions.DNSName}, {@code Certificate.VerifyHostname}, crypto/x509/verify.go). fabric8 reads the
 * field and nothing uses it: the JDK's HTTP client checked the URL's host, so a certificate for the address passed
 * where kubectl refuses the cluster (the certificate does not name {@code tls-server-name}), and one that names only
 * {@code tls-server-name} was refused where kubectl connects.
 *
 * <p>The chain is checked by the trust managers it wraps without an identity (their two-argument check), then the leaf
 * against the name by Go's rules ({@link #names}). The JDK still sends the URL's host as the TLS server name (SNI):
 * its HTTP client sets that itself.
 */
final class ServerNameTrust extends X509ExtendedTrustManager {
    private final X509TrustManager delegate;
    private final String name;

    private ServerNameTrust(X509TrustManager delegate, String name) {
        this.delegate = delegate;
        this.name = name;
    }

    /** {@code managers} with every X.509 one checking {@code name} instead of the connection's host. */
    static TrustManager[] wrap(TrustManager[] managers, String name) {
        TrustManager[] out = managers.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] instanceof X509TrustManager x) {
                out[i] = new ServerNameTrust(x, name);
            }
        }
        return out;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkServerTrusted(chain, authType);
        if (chain == null || chain.length == 0 || !names(chain[0], name)) {
            throw new CertificateException(io.meshform.state.ServerCertificateRefused.NOT_THE_SERVER_NAME + name + ", the cluster's tls-server-name in"
                    + " the kubeconfig (it names " + String.join(", ", alternativeNames(chain == null || chain.length == 0
                    ? null : chain[0])) + ")");
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }

    /**
     * Whether {@code cert} names {@code host} as Go's {@code VerifyHostname} decides (Go 1.15 and later): an IP
     * address matches an IP address entry only; a DNS name matches a DNS entry, ASCII case ignored and a trailing dot
     * dropped on both, where {@code *} as a whole leftmost label stands for exactly one label; the subject's common
     * name is not looked at.
     */
    static boolean names(X509Certificate cert, String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress ip = IpLiterals.parse(h);
        Collection<List<?>> sans;
        try {
            sans = cert.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return false;
        }
        if (sans == null) {
            return false;
        }
        String wanted = trimDot(h.toLowerCase(Locale.ROOT));
        for (List<?> san : sans) {
            int type = (Integer) san.get(0);
            String value = String.valueOf(san.get(1));
            if (ip != null && type == 7 && ip.equals(IpLiterals.parse(value))) {
                return true;
            }
            if (ip == null && type == 2 && matches(trimDot(value.toLowerCase(Locale.ROOT)), wanted)) {
                return true;
            }
        }
        return false;
    }

    /** Go's {@code matchHostnames}: label by label, {@code *} only as the whole first label of the pattern. */
    private static boolean matches(String pattern, String host) {
        if (pattern.isEmpty() || host.isEmpty()) {
            return false;
        }
        String[] p = pattern.split("\\.", -1);
        String[] h = host.split("\\.", -1);
        if (p.length != h.length) {
            return false;
        }
        for (int i = 0; i < p.length; i++) {
            if (i == 0 && p[i].equals("*") && !h[i].isEmpty()) {
                continue;
            }
            if (!p[i].equals(h[i])) {
                return false;
            }
        }
        return true;
    }

    private static String trimDot(String s) {
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private static List<String> alternativeNames(X509Certificate cert) {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> sans = cert == null ? null : cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    int type = (Integer) san.get(0);
                    if (type == 2 || type == 7) {
                        out.add(String.valueOf(san.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // said as no names
        }
        return out.isEmpty() ? List.of("no DNS name or IP address") : out;
    }
}

package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.client.Config;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * The proxy the environment names for requests to the API server, chosen as kubectl chooses it: client-go's transport
 * asks Go's {@code http.ProxyFromEnvironment}, which is golang.org/x/net/http/httpproxy ({@code FromEnvironment},
 * {@code proxyForURL}, {@code useProxy}, {@code config.init}). An {@code https://} server goes through
 * {@code HTTPS_PROXY} (else {@code https_proxy}), an {@code http://} one through {@code HTTP_PROXY}; never a
 * {@code localhost} or loopback server; not one {@code NO_PROXY} (else {@code no_proxy}) names: {@code *}, an IP, a CIDR
 * block, or a domain that matches itself and its subdomains ({@code .example.com} and {@code *.example.com} only the
 * subdomains), each with an optional port.
 *
 * <p>fabric8 read these only for a kubeconfig found by itself ({@code ~/.kube/config}), not for {@code --kubeconfig} or
 * {@code $KUBECONFIG}, so behind a proxy kubectl reached the cluster and meshform did not (or went past a proxy meant
 * to carry everything), and it sent loopback servers through the proxy, which Go never does. A cluster's own
 * {@code proxy-url} still wins ({@link ClusterTransport#apply}, applied after this).
 *
 * @param https   HTTPS_PROXY's value, or null
 * @param http    HTTP_PROXY's value, or null
 * @param noProxy NO_PROXY's value, or null
 */
record EnvironmentProxy(String https, String http, String noProxy) {
    /** The variables the proxy is read from, as {@code httpproxy.FromEnvironment} reads them (upper case first). */
    static final List<String> VARIABLES = List.of("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy");

    /** Read through {@code env} (a variable's value, or null). */
    static EnvironmentProxy of(UnaryOperator<String> env) {
        return new EnvironmentProxy(any(env, "HTTPS_PROXY", "https_proxy"), any(env, "HTTP_PROXY", "http_proxy"),
                any(env, "NO_PROXY", "no_proxy"));
    }

    private static String any(UnaryOperator<String> env, String upper, String lower) {
        String v = env.apply(upper);
        return v != null && !v.isEmpty() ? v : blankToNull(env.apply(lower));
    }

    private static String blankToNull(String v) {
        return v == null || v.isEmpty() ? null : v;
    }

    /**
     * Sets {@code config}'s proxy for its server as chosen above (none: no proxy), in place of what fabric8 took from
     * the environment.
     */
    void apply(Config config) {
        URI proxy = forServer(config.getMasterUrl());
        String value = proxy == null ? null : proxy.toString();
        config.setHttpsProxy(value);
        config.setHttpProxy(value);
        // The choice is made here, once, by Go's rules: fabric8's own NO_PROXY matching must not undo it.
        config.setNoProxy(null);
    }

    /** The proxy for requests to {@code server}, or null when they go straight to it. */
    URI forServer(String server) {
        if (server == null) {
            return null;
        }
        URI target;
        try {
            target = new URI(server.strip());
        } catch (URISyntaxException e) {
            return null;  // the client says what is wrong with the server's URL
        }
        String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
        String name = scheme.equals("https") ? "HTTPS_PROXY" : scheme.equals("http") ? "HTTP_PROXY" : null;
        String value = scheme.equals("https") ? https : scheme.equals("http") ? http : null;
        if (value == null || target.getHost() == null) {
            return null;
        }
        String port = target.getPort() >= 0 ? Integer.toString(target.getPort()) : scheme.equals("https") ? "443" : "80";
        if (!useProxy(target.getHost(), port)) {
            return null;
        }
        return parse(name, value);
    }

    /** {@code parseProxy}: a value without a scheme is an http:// one; meshform's client speaks only plain HTTP to a proxy. */
    private static URI parse(String name, String value) {
        URI uri = uri(value.strip());
        if (uri == null || uri.getScheme() == null || uri.getHost() == null) {
            uri = uri("http://" + value.strip());
        }
        if (uri == null) {
            throw refused(name + " is not a proxy URL (" + SafeUrls.server(value) + ")");
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw refused(name + " " + SafeUrls.server(value) + " is not an http://HOST:PORT proxy: kubectl also speaks TLS"
                    + " (https://) and SOCKS5 to a proxy, meshform's HTTP client only plain HTTP");
        }
        try {
            return ClusterTransport.dialled(uri);
        } catch (URISyntaxException e) {
            throw refused(name + " is not a proxy URL (" + SafeUrls.server(value) + ")");
        }
    }

    private static URI uri(String s) {
        try {
            return new URI(s);
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static io.meshform.engine.diag.DiagnosticsException refused(String what) {
        return new io.meshform.engine.diag.DiagnosticsException(io.meshform.engine.diag.Diagnostic.error(
                "the environment's proxy for the Kubernetes API server: " + what, "give an http:// proxy, or leave the API"
                        + " server out of it with NO_PROXY (its host, IP or CIDR block). Nothing was sent", null));
    }

    /** {@code useProxy(canonicalAddr)}: whether a request to {@code host}:{@code port} goes through the proxy. */
    boolean useProxy(String host, String port) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        h = h.toLowerCase(Locale.ROOT).strip();
        if (h.equals("localhost")) {
            return false;
        }
        InetAddress ip = IpLiterals.parse(h);
        if (ip != null && ip.isLoopbackAddress()) {
            return false;
        }
        if (noProxy == null) {
            return true;
        }
        for (String raw : noProxy.split(",")) {
            String p = raw.strip().toLowerCase(Locale.ROOT);
            if (p.isEmpty()) {
                continue;
            }
            if (p.equals("*")) {
                return false;
            }
            if (p.contains("/")) {  // a CIDR block
                if (ip != null && inBlock(ip, p)) {
                    return false;
                }
                continue;
            }
            String entryHost = p;
            String entryPort = "";
            int colon = p.lastIndexOf(':');
            if (colon > p.lastIndexOf(']') && (p.indexOf(':') == colon || p.startsWith("["))) {
                entryHost = p.substring(0, colon);
                entryPort = p.substring(colon + 1);
                if (entryHost.isEmpty()) {
                    continue;  // no host part: a malformed entry, ignored as Go ignores it
                }
            }
            if (entryHost.startsWith("[") && entryHost.endsWith("]")) {
                entryHost = entryHost.substring(1, entryHost.length() - 1);
            }
            InetAddress entryIp = IpLiterals.parse(entryHost);
            boolean portOk = entryPort.isEmpty() || entryPort.equals(port);
            if (entryIp != null) {
                if (ip != null && entryIp.equals(ip) && portOk) {
                    return false;
                }
                continue;
            }
            if (ip != null) {
                continue;  // a domain entry never matches an IP server (domainMatch)
            }
            String domain = entryHost.startsWith("*.") ? entryHost.substring(1) : entryHost;
            boolean matchHost = !domain.startsWith(".");
            if (matchHost) {
                domain = "." + domain;
            }
            if ((h.endsWith(domain) || (matchHost && h.equals(domain.substring(1)))) && portOk) {
                return false;
            }
        }
        return true;
    }

    private static boolean inBlock(InetAddress ip, String cidr) {
        int slash = cidr.indexOf('/');
        InetAddress net = IpLiterals.parse(cidr.substring(0, slash));
        int bits;
        try {
            bits = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            return false;
        }
        if (net == null) {
            return false;
        }
        byte[] a = ip.getAddress();
        byte[] b = net.getAddress();
        if (a.length != b.length || bits < 0 || bits > a.length * 8) {
            return false;
        }
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >> (i % 8);
            if ((a[i / 8] & mask) != (b[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }
}

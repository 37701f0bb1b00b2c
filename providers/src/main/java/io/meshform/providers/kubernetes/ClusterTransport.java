package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.api.model.Cluster;
import io.fabric8.kubernetes.api.model.NamedCluster;
import io.fabric8.kubernetes.client.Config;
import java.io.File;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;

/**
 * What a kubeconfig's cluster says about the way to its API server ({@code insecure-skip-tls-verify} beside a CA,
 * {@code proxy-url}), applied as kubectl applies it rather than as fabric8 8.0.0 does, where fabric8 is weaker:
 * <ul>
 * <li>A cluster that sets {@code insecure-skip-tls-verify: true} and names a CA is refused, as client-go refuses it
 * ({@code TLSConfigFor}, k8s.io/client-go/transport/transport.go: "specifying a root certificates file with the
 * insecure flag is not allowed"). fabric8 took the flag and checked no certificate at all: plan, apply and the state
 * backend spoke to whatever answered at the address, while kubectl and istioctl refused the same kubeconfig.</li>
 * <li>{@code proxy-url} is the proxy of every request to the cluster, whatever the server's scheme, as client-go's
 * {@code clientcmd} sets {@code rest.Config.Proxy = http.ProxyURL(u)} (k8s.io/client-go/tools/clientcmd/client_config.go).
 * fabric8's {@code KubeConfigUtils.merge} files an {@code http://} proxy as the proxy of {@code http://} servers only,
 * so a plan of an {@code https://} cluster went straight to the server past the proxy kubectl goes through; an
 * {@code https://} proxy (TLS to the proxy) it uses as a plain HTTP one, and a {@code socks5://} one the JDK's HTTP
 * client cannot use. Those two are refused here with what to do, rather than sent in the clear or reported as the API
 * server's refusal.</li>
 * </ul>
 */
final class ClusterTransport {
    private ClusterTransport() {
    }

    /**
     * The cluster the merged {@code config}'s current context names, as {@code KubeConfigUtils.merge} picks it (the first
     * file that defines the name), or null when there is none.
     */
    static NamedCluster current(Config config, io.fabric8.kubernetes.api.model.Config... parsed) {
        if (config.getCurrentContext() == null || config.getCurrentContext().getContext() == null) {
            return null;
        }
        String name = config.getCurrentContext().getContext().getCluster();
        for (io.fabric8.kubernetes.api.model.Config c : parsed) {
            for (NamedCluster n : c.getClusters() == null ? List.<NamedCluster>of() : c.getClusters()) {
                if (n.getName() != null && n.getName().equals(name)) {
                    return n;
                }
            }
        }
        return null;
    }

    /**
     * Refuses {@code named} (an {@link IllegalArgumentException} saying what to change) when kubectl would refuse it or
     * meshform cannot go the way it names; before anything is run or sent for it (an exec plugin, a request).
     */
    static void check(NamedCluster named) {
        if (named == null || named.getCluster() == null) {
            return;
        }
        Cluster cluster = named.getCluster();
        String where = where(named);
        boolean ca = notBlank(cluster.getCertificateAuthority()) || notBlank(cluster.getCertificateAuthorityData());
        if (Boolean.TRUE.equals(cluster.getInsecureSkipTlsVerify()) && ca) {
            throw new IllegalArgumentException(where + " sets insecure-skip-tls-verify: true and names a CA ("
                    + (notBlank(cluster.getCertificateAuthorityData()) ? "certificate-authority-data" : "certificate-authority")
                    + "); kubectl refuses such a cluster (\"specifying a root certificates file with the insecure flag is not"
                    + " allowed\"), and so does meshform rather than check no certificate at all. Remove"
                    + " insecure-skip-tls-verify to check the API server against that CA, or remove the CA to connect"
                    + " without checking the server (anyone on the path could then answer as the cluster)");
        }
        proxy(named);
    }

    /**
     * Sets {@code named}'s {@code proxy-url} (checked by {@link #check}) as the proxy of every request, after every
     * other source, the environment included: a cluster's {@code proxy-url} wins over {@code HTTPS_PROXY}, as in client-go.
     */
    static void apply(Config config, NamedCluster named) {
        URI proxy = named == null || named.getCluster() == null ? null : proxy(named);
        if (proxy == null) {
            return;
        }
        config.setHttpsProxy(proxy.toString());
        config.setHttpProxy(proxy.toString());
        // client-go's http.ProxyURL sends every request to the cluster through it: NO_PROXY does not apply.
        config.setNoProxy(null);
    }

    /** The cluster's proxy-url, or null when it names none; an {@link IllegalArgumentException} for one meshform cannot use. */
    private static URI proxy(NamedCluster named) {
        String proxy = named.getCluster().getProxyUrl();
        if (!notBlank(proxy)) {
            return null;
        }
        String where = where(named);
        URI uri;
        try {
            uri = new URI(proxy.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(where + ": proxy-url is not a URL (" + SafeUrls.server(proxy) + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http")) {
            throw new IllegalArgumentException(where + ": proxy-url " + SafeUrls.server(proxy) + " is "
                    + (scheme.equals("https") ? "an https proxy (TLS to the proxy), which kubectl supports and meshform"
                            + " does not: its HTTP client speaks only plain HTTP to a proxy, so the CONNECT request and the"
                            + " proxy's credentials would go in the clear"
                            : scheme.equals("socks5") ? "a SOCKS5 proxy, which kubectl supports and meshform does not: its"
                            + " HTTP client speaks only HTTP to a proxy"
                            : "not an http, https or socks5 URL, which kubectl refuses too")
                    + "; give the cluster an http:// proxy-url, or run meshform where the API server is reachable without"
                    + " that proxy and remove proxy-url");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException(where + ": proxy-url " + SafeUrls.server(proxy) + " names no host"
                    + " (http://HOST:PORT)");
        }
        try {
            return dialled(uri);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(where + ": proxy-url is not a URL (" + SafeUrls.server(proxy) + ")");
        }
    }

    /**
     * An http proxy's URL as Go dials it: without a port, at 80 (net/http {@code canonicalAddr}); fabric8's client needs
     * the port written out. For a cluster's {@code proxy-url} and the environment's proxy ({@link EnvironmentProxy}).
     */
    static URI dialled(URI proxy) throws URISyntaxException {
        return proxy.getPort() >= 0 ? proxy
                : new URI(proxy.getScheme(), proxy.getUserInfo(), proxy.getHost(), 80, proxy.getPath(), null, null);
    }

    /**
     * Whether requests to {@code config}'s server go through a proxy; if every request does (no {@code NO_PROXY} list
     * may skip it: a cluster's {@code proxy-url}, or an environment proxy without one), the proxy is reached first with
     * one TCP connection, so a proxy nothing listens for is said as the proxy (meshform said "no answer from the API
     * server ... ClosedChannelException", and kubectl "the connection to the server was refused").
     */
    static boolean throughProxy(Config config, String describedAs) {
        String master = config.getMasterUrl() == null ? "" : config.getMasterUrl().toLowerCase(java.util.Locale.ROOT);
        String proxy = master.startsWith("http://") ? config.getHttpProxy() : config.getHttpsProxy();
        if (proxy == null) {
            return config.getHttpsProxy() != null || config.getHttpProxy() != null;
        }
        URI uri;
        try {
            uri = new URI(proxy);
        } catch (URISyntaxException e) {
            return true;  // fabric8 says what is wrong with it
        }
        if (config.getNoProxy() != null || uri.getHost() == null || uri.getPort() < 0) {
            return true;
        }
        int timeout = config.getConnectionTimeout() > 0 ? Math.min(config.getConnectionTimeout(), 10_000) : 10_000;
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(uri.getHost(), uri.getPort()), timeout);
        } catch (java.io.IOException e) {
            throw new io.meshform.engine.diag.DiagnosticsException(io.meshform.engine.diag.Diagnostic.error(
                    "cannot reach the proxy " + SafeUrls.server(proxy) + " that requests to the Kubernetes API server go"
                            + " through (" + describedAs + "): " + SafeUrls.scrub(e.getMessage()),
                    "is the proxy running, and is it the right one (the cluster's proxy-url in the kubeconfig, else"
                            + " HTTPS_PROXY, or HTTP_PROXY for an http:// server)? Nothing was sent to the API server", null));
        }
        return true;
    }

    private static String where(NamedCluster named) {
        Object file = named.getAdditionalProperties().get(KubeconfigReader.CLUSTER_FILE_KEY);
        return "cluster `" + named.getName() + "`" + (file instanceof File f ? " (in " + f + ")" : "");
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }
}

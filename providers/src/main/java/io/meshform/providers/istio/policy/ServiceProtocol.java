package io.meshform.providers.istio.policy;

import java.util.Locale;
import java.util.Set;

/**
 * The protocol istiod gives a Service port ({@code ConvertProtocol}, pkg/config/kube/conversion.go; names from
 * {@code protocol.Parse}, pkg/config/protocol/instance.go): {@code appProtocol} over the port name, the name's prefix
 * before the first '-', and for a name that does not parse, TCP on the well-known server-first ports (SMTP 25, DNS 53,
 * MySQL 3306, MongoDB 27017), otherwise UNSUPPORTED (Istio sniffs the protocol).
 */
public enum ServiceProtocol {
    TCP, UDP, GRPC, GRPC_WEB, HTTP, HTTP_PROXY, HTTP2, HTTPS, TLS, MONGO, REDIS, MYSQL, UNSUPPORTED;

    /** {@code wellKnownPorts}, pkg/config/kube/conversion.go: ports never sniffed because their server speaks first. */
    public static final Set<Integer> WELL_KNOWN_SERVER_FIRST = Set.of(25, 53, 3306, 27017);

    /** @param kubeProtocol the port's {@code protocol} (TCP when null) */
    public static ServiceProtocol of(int port, String name, String kubeProtocol, String appProtocol) {
        if ("UDP".equals(kubeProtocol)) {
            return UDP;
        }
        String n = name == null ? "" : name;
        if (appProtocol != null) {
            switch (appProtocol) {
                case "kubernetes.io/h2c" -> {
                    return HTTP2;
                }
                case "kubernetes.io/ws" -> {
                    return HTTP;
                }
                case "kubernetes.io/wss" -> {
                    return HTTPS;
                }
                default -> n = appProtocol;
            }
        }
        if (n.length() >= 8 && n.substring(0, 8).equalsIgnoreCase("grpc-web")) {
            return GRPC_WEB;
        }
        int dash = n.indexOf('-');
        ServiceProtocol p = parse(dash >= 0 ? n.substring(0, dash) : n);
        if (p == UNSUPPORTED && WELL_KNOWN_SERVER_FIRST.contains(port)) {
            return TCP;
        }
        return p;
    }

    private static ServiceProtocol parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "tcp" -> TCP;
            case "udp" -> UDP;
            case "grpc" -> GRPC;
            case "http" -> HTTP;
            case "http_proxy" -> HTTP_PROXY;
            case "http2" -> HTTP2;
            case "https" -> HTTPS;
            case "tls" -> TLS;
            case "mongo" -> MONGO;
            case "redis" -> REDIS;
            case "mysql" -> MYSQL;
            default -> UNSUPPORTED;
        };
    }

    /** {@code Instance.IsTCP}: carried as opaque TCP by the sidecar. */
    public boolean isTcp() {
        return switch (this) {
            case TCP, HTTPS, TLS, MONGO, REDIS, MYSQL -> true;
            default -> false;
        };
    }

    /** {@code Instance.IsHTTP}. */
    public boolean isHttp() {
        return switch (this) {
            case HTTP, HTTP2, HTTP_PROXY, GRPC, GRPC_WEB -> true;
            default -> false;
        };
    }
}

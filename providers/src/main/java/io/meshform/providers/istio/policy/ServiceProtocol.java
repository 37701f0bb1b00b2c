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

    /**
     * Whether the application behind a port speaks first (the server greets, the client waits): the one answer every
     * mTLS rule asks ({@link ClientMtls#stall}
     * decides what that means for a connection). Istio's docs (ops/deployment/application-requirements, "Server First
     * Protocols") name MySQL, MongoDB and SMTP; Istio's own code knows them as the protocols {@link #MONGO} and
     * {@link #MYSQL} ({@code protocol.Parse}, pkg/config/protocol/instance.go) and as the {@code wellKnownPorts} it never
     * sniffs because "applications bound to these ports will be broken if protocol sniffing is enabled"
     * ({@code ConvertProtocol}, pkg/config/kube/conversion.go: 25 SMTP, 3306 MySQL, 27017 MongoDB; also 53, left out
     * here because a DNS client sends its query first, RFC 7766). Istio parses no {@code smtp} protocol, so a port named
     * {@code smtp} (or {@code smtp-*}) is taken at its word as the application. A port declared as a client-first
     * protocol (HTTP, gRPC, TLS, Redis) on one of those numbers is not server-first.
     *
     * @param port        the Service port number (or, without a Service, the container port)
     * @param name        the port's name, or null
     * @param appProtocol the port's {@code appProtocol}, or null
     */
    public static boolean serverFirst(int port, String name, String appProtocol) {
        ServiceProtocol p = of(port, name, "TCP", appProtocol);
        if (p == MONGO || p == MYSQL) {
            return true;
        }
        String declared = appProtocol != null && !appProtocol.isBlank() ? appProtocol : name == null ? "" : name;
        if (declared.toLowerCase(Locale.ROOT).split("-", 2)[0].equals("smtp")) {
            return true;
        }
        return (p == TCP || p == UNSUPPORTED) && SERVER_FIRST_PORTS.contains(port);
    }

    /** {@link #WELL_KNOWN_SERVER_FIRST} without DNS: the well-known ports whose server speaks first. */
    private static final Set<Integer> SERVER_FIRST_PORTS = Set.of(25, 3306, 27017);

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

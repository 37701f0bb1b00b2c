package io.meshform.providers.istio.policy;

import io.meshform.providers.istio.policy.Outbound.EndpointTransport;
import io.meshform.providers.istio.policy.Outbound.Transport;
import io.meshform.providers.kubernetes.Json;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * Client-side mTLS: whether a client workload sends Istio mTLS to a destination, computed as istiod builds the client's
 * clusters and endpoints. The server side is {@link PeerAuthentications}; together they answer "does this connection
 * work, and is it encrypted".
 *
 * <p>Usage (one instance per cluster snapshot, before or after a plan; lookups are cheap):
 * <pre>{@code
 * ClientMtls clients = new ClientMtls(meshConfigView, peerAuthentications, destinationRules, services, pods);
 * Outbound o = clients.toService(clientPod, "db.data.svc.cluster.local", 27017); // a Service host and Service port
 * o.originatesMtls();            // every endpoint gets Istio mTLS
 * o.to(serverPod);               // ISTIO_MUTUAL / TLS / PLAINTEXT for that endpoint
 * clients.toAddress(clientPod, "10.244.0.7", 7078);                   // a pod IP (Spark) or headless endpoint
 * clients.serverFirstStall(clientPod, service, port, serverPod); // Optional: why a server-first protocol is left waiting
 * }</pre>
 *
 * <p>Istio's rules, from istio/istio at the pinned release (each method cites its own):
 * <ul>
 *   <li>a client without a sidecar runs no Istio code: it sends what its application sends (plaintext here);</li>
 *   <li>the DestinationRule is chosen by {@link DestinationRuleIndex} (push_context.go, sidecar.go); its
 *       {@code trafficPolicy} is replaced by a {@code portLevelSettings} entry for the Service port
 *       ({@code GetPortLevelTrafficPolicy}, pilot/pkg/networking/util/util.go: nothing is inherited);</li>
 *   <li>TLS for the cluster: {@code buildUpstreamTLSSettings} (pilot/pkg/networking/core/cluster_tls.go): a tls mode
 *       is used as given (ISTIO_MUTUAL to every endpoint, sidecar or not; SIMPLE/MUTUAL are TLS, not Istio mTLS;
 *       DISABLE plaintext); without one, auto-mTLS (mesh {@code enableAutoMtls}) unless the service's inferred mode is
 *       DISABLE ({@code BestEffortInferServiceMTLSMode}, pilot/pkg/model/push_context.go: the namespace/mesh-level
 *       PeerAuthentication of the service's namespace only; for headless or PASSTHROUGH-balanced services DISABLE
 *       when there are no endpoints or any lacks a sidecar; istiod reads those endpoints as of its last full push, and
 *       a new endpoint of a Service that has some is only an EDS push (pilot/pkg/model/endpointshards.go
 *       {@code UpdateServiceEndpoints}), so until the next full push istiod may still answer for the old endpoints:
 *       this model answers for the mesh after that push);</li>
 *   <li>auto-mTLS becomes {@code transport_socket_matches} (mTLS to endpoints whose metadata says
 *       {@code tlsMode: istio}) except on ORIGINAL_DST clusters (headless), where it stays on the cluster
 *       ({@code applyUpstreamTLSSettings}, cluster_tls.go);</li>
 *   <li>endpoint metadata: {@code checkMtlsEnabled} (pilot/pkg/xds/endpoints/mtls_checker.go): a DestinationRule tls
 *       mode for the port (top-level, overridden by a port entry that has tls) decides (ISTIO_MUTUAL keeps the
 *       endpoint's label); else no sidecar label means no mTLS; else the server workload's composed
 *       PeerAuthentication for the endpoint (container) port must not be DISABLE;</li>
 *   <li>addresses: see {@link #toAddress}.</li>
 * </ul>
 */
public final class ClientMtls {
    private final MeshConfigView mesh;
    private final PeerAuthentications peers;
    private final DestinationRuleIndex rules;
    private final List<MeshService> services;
    private final List<MeshPod> pods;
    /** The first Service of each host, as {@link #service} used to find it by scanning. */
    private final Map<String, MeshService> byHost = new HashMap<>();
    /*
     * Memos: a ClientMtls answers for one immutable snapshot, so these only save recomputing the same answer. What a
     * cluster sends depends on the client only through the DestinationRule entry it selects, so clusters are kept by
     * (entry, Service, port); endpoints by Service; composed server policies by endpoint pod (identity keys: an equal
     * but distinct object is computed again, with the same result).
     */
    private final Map<MeshService, List<MeshPod>> endpointsOf = new IdentityHashMap<>();
    private final Map<MeshPod, EffectiveMtls> effectiveOf;
    private final Map<ClusterKey, Outbound> clusters = new HashMap<>();

    /** A cluster's inputs besides the client: the selected entry (null for none), the Service, the Service port. */
    private record ClusterKey(DestinationRuleIndex.Entry entry, MeshService service, MeshService.Port port) {
        @Override
        public boolean equals(Object o) {
            return o instanceof ClusterKey k && k.entry == entry && k.service == service && k.port == port;
        }

        @Override
        public int hashCode() {
            return (System.identityHashCode(entry) * 31 + System.identityHashCode(service)) * 31 + System.identityHashCode(port);
        }
    }

    public ClientMtls(MeshConfigView mesh, PeerAuthentications peers, Collection<DestinationPolicy> destinationRules,
                      Collection<MeshService> services, Collection<MeshPod> pods) {
        this(mesh, peers, new DestinationRuleIndex(mesh.rootNamespace(), mesh.defaultDestinationRuleExportTo(), destinationRules),
                services, pods, new IdentityHashMap<>());
    }

    /**
     * For callers that build many instances over one snapshot ({@link IstioClientTls}): the DestinationRule index and
     * the composed server policies per pod are the same for all of them, so they are built once and shared.
     */
    ClientMtls(MeshConfigView mesh, PeerAuthentications peers, DestinationRuleIndex rules, Collection<MeshService> services,
               Collection<MeshPod> pods, Map<MeshPod, EffectiveMtls> effectiveOf) {
        this.mesh = mesh;
        this.peers = peers;
        this.rules = rules;
        this.services = List.copyOf(services);
        this.pods = List.copyOf(pods);
        this.effectiveOf = effectiveOf;
        for (MeshService s : this.services) {
            byHost.putIfAbsent(s.host(), s);
        }
    }

    /** The server's composed PeerAuthentication, computed once per pod. */
    private EffectiveMtls effective(MeshPod pod) {
        EffectiveMtls e = effectiveOf.get(pod);
        if (e == null) {
            e = peers.effective(pod.namespace(), pod.labels());
            effectiveOf.put(pod, e);
        }
        return e;
    }

    /** The DestinationRule a client uses for {@code host} (the first rule of the merged entry), if any. */
    public Optional<DestinationPolicy> destinationRule(MeshPod client, String host) {
        DestinationRuleIndex.Entry e = rules.select(client, host, service(host).map(MeshService::namespace).orElse(null));
        return e == null ? Optional.empty() : Optional.of(e.first());
    }

    /**
     * What {@code client} sends to the Service {@code host} on Service port {@code servicePort}. A host that names no
     * known Service is answered as the client's sidecar would treat it: no cluster, so PassthroughCluster (plaintext).
     */
    public Outbound toService(MeshPod client, String host, int servicePort) {
        if (!client.sidecar()) {
            return new Outbound(null, Transport.PLAINTEXT, List.of(), null,
                    "the client has no sidecar: nothing in Istio originates TLS for it");
        }
        MeshService svc = byHost.get(host);
        Optional<MeshService.Port> port = svc == null ? Optional.empty() : svc.port(servicePort);
        if (port.isEmpty()) {
            return passthrough("no Service " + host + " port " + servicePort + " is known to the mesh");
        }
        return cluster(client, host, svc, port.get());
    }

    /** The kind of connection an application opens to an address; the listener may route the two differently. */
    public enum Call {
        /** Plain TCP (or any protocol Envoy's HTTP inspector does not recognise), as Spark's RPC and block manager. */
        TCP,
        /** Plaintext HTTP/1.1 or h2c, which a sniffing listener's HTTP inspector routes through its HTTP chains. */
        HTTP
    }

    /** {@link #toAddress(MeshPod, String, int, Call)} for a plain TCP connection. */
    public Outbound toAddress(MeshPod client, String ip, int port) {
        return toAddress(client, ip, port, Call.TCP);
    }

    /**
     * What {@code client} sends to a pod IP and port, as Envoy routes a redirected connection. A headless Service's
     * TCP or unsupported-protocol port gets one outbound listener per endpoint address on the Service port, which
     * leads to that Service's ORIGINAL_DST cluster ({@code buildSidecarOutboundListeners}, pilot/pkg/networking/core/
     * listener.go; not for the client's own address). Where several headless Services select the pod on the same
     * port, istiod walks them in {@link MeshService#ISTIOD_ORDER} and merges them into the one listener
     * ({@code buildSidecarOutboundListener}, same file): the first one's TCP chain takes plain TCP; the first
     * unsupported-protocol (sniffed) one's HTTP chains take HTTP, unless the listener is MongoDB's or MySQL's, which
     * accept no second protocol ({@code isConflictWithWellKnownPort}); without HTTP chains HTTP goes the TCP way.
     * Anything else (a pod IP behind a ClusterIP Service, a headless HTTP port whose virtual hosts name only the
     * service's host names: {@code generateVirtualHostDomains}, pilot/pkg/networking/core/httproute.go) reaches
     * PassthroughCluster, which has no transport socket ({@code buildDefaultPassthroughCluster},
     * pilot/pkg/networking/core/cluster_builder.go): plaintext.
     */
    public Outbound toAddress(MeshPod client, String ip, int port, Call call) {
        if (!client.sidecar()) {
            return new Outbound(null, Transport.PLAINTEXT, List.of(), null,
                    "the client has no sidecar: nothing in Istio originates TLS for it");
        }
        List<MeshService> claimants = new ArrayList<>();
        if (!ip.equals(client.ip())) {
            for (MeshService s : services) {
                Optional<MeshService.Port> p = s.port(port);
                if (s.headless() && p.isPresent() && perEndpointListener(p.get().protocol())
                        && endpoints(s).stream().anyMatch(e -> ip.equals(e.ip()))) {
                    claimants.add(s);
                }
            }
        }
        if (claimants.isEmpty()) {
            return passthrough(ip + ":" + port + " matches no outbound listener of a Service");
        }
        claimants.sort(MeshService.ISTIOD_ORDER);
        MeshService owner = claimants.get(0);
        if (call == Call.HTTP) {
            ServiceProtocol first = owner.port(port).orElseThrow().protocol();
            if (first != ServiceProtocol.MONGO && first != ServiceProtocol.MYSQL) {
                for (MeshService s : claimants) {
                    if (s.port(port).orElseThrow().protocol() == ServiceProtocol.UNSUPPORTED) {
                        owner = s;
                        break;
                    }
                }
            }
        }
        return cluster(client, owner.host(), owner, owner.port(port).orElseThrow());
    }

    /** Ports istiod gives a listener per endpoint address on a headless Service: TCP-based and sniffed ones. */
    private static boolean perEndpointListener(ServiceProtocol p) {
        return p.isTcp() || p == ServiceProtocol.UNSUPPORTED;
    }

    private static Outbound passthrough(String why) {
        return new Outbound("PassthroughCluster", Transport.PLAINTEXT, List.of(), null,
                why + ": PassthroughCluster, which sends plaintext (cluster_builder.go buildDefaultPassthroughCluster)");
    }

    private Optional<MeshService> service(String host) {
        return Optional.ofNullable(byHost.get(host));
    }

    /** The Service's endpoints: pods it selects that have an IP (the test bed's pods are Ready once scheduled). */
    public List<MeshPod> endpoints(MeshService s) {
        List<MeshPod> known = endpointsOf.get(s);
        if (known != null) {
            return new ArrayList<>(known);
        }
        List<MeshPod> out = new ArrayList<>();
        for (MeshPod p : pods) {
            if (p.ip() != null && s.selects(p)) {
                out.add(p);
            }
        }
        endpointsOf.put(s, List.copyOf(out));
        return out;
    }

    /**
     * The cluster {@code outbound|PORT||HOST} ({@code host} is {@code svc.host()}) of {@code client} and, for EDS, what
     * each endpoint gets. The client counts
     * only through the DestinationRule entry it selects, so the answer is kept per entry, Service and port.
     */
    private Outbound cluster(MeshPod client, String host, MeshService svc, MeshService.Port port) {
        DestinationRuleIndex.Entry entry = rules.select(client, host, svc.namespace());
        ClusterKey key = new ClusterKey(entry, svc, port);
        Outbound known = clusters.get(key);
        if (known == null) {
            known = cluster(entry, svc, port);
            clusters.put(key, known);
        }
        return known;
    }

    private Outbound cluster(DestinationRuleIndex.Entry entry, MeshService svc, MeshService.Port port) {
        String name = "outbound|" + port.port() + "||" + svc.host();
        JsonNode top = entry == null ? null : entry.trafficPolicy();
        JsonNode policy = PortTrafficPolicy.portLevel(top, port.port());
        JsonNode tls = policy == null ? null : policy.get("tls");
        boolean passthroughLb = svc.headless() || "PASSTHROUGH".equals(PortTrafficPolicy.lbSimple(policy));
        List<MeshPod> eps = endpoints(svc);
        DestinationPolicy rule = entry == null ? null : entry.first();
        if (tls != null && tls.isObject()) {
            String mode = Json.text(tls, "mode", "DISABLE");
            Transport t = switch (mode) {
                case "ISTIO_MUTUAL" -> Transport.ISTIO_MUTUAL;
                case "SIMPLE", "MUTUAL" -> Transport.TLS;
                default -> Transport.PLAINTEXT;
            };
            String why = rule.describe() + " sets tls mode " + mode + " for port " + port.port()
                    + " (cluster_tls.go buildUpstreamTLSSettings: used as given, for every endpoint)";
            return new Outbound(name, t, passthroughLb ? List.of() : each(eps, port, t), rule, why);
        }
        MtlsMode serviceMode = inferServiceMode(top, svc, eps);
        if (!mesh.enableAutoMtls() || serviceMode == MtlsMode.DISABLE) {
            String why = !mesh.enableAutoMtls() ? "the mesh config turns auto-mTLS off and no DestinationRule sets tls"
                    : "auto-mTLS is off for " + svc.host() + " (push_context.go BestEffortInferServiceMTLSMode: "
                    + (svc.headless() || passthroughLb ? "a passthrough service with an endpoint without sidecar, or none"
                    : "the namespace/mesh PeerAuthentication of " + svc.namespace() + " is DISABLE") + ")";
            return new Outbound(name, Transport.PLAINTEXT, passthroughLb ? List.of() : each(eps, port, Transport.PLAINTEXT),
                    null, why);
        }
        if (passthroughLb) {
            return new Outbound(name, Transport.ISTIO_MUTUAL, List.of(), null,
                    "auto-mTLS on an ORIGINAL_DST cluster applies to every connection (cluster_tls.go applyUpstreamTLSSettings)");
        }
        // EDS endpoint metadata: checkMtlsEnabled, pilot/pkg/xds/endpoints/mtls_checker.go
        String drMode = PortTrafficPolicy.edsTlsMode(top, port.port());
        List<EndpointTransport> out = new ArrayList<>();
        for (MeshPod ep : eps) {
            boolean enabled;
            if (drMode != null) {
                enabled = drMode.equals("ISTIO_MUTUAL");
            } else if (!"istio".equals(ep.endpointTlsMode())) {
                enabled = false;
            } else {
                enabled = effective(ep).forPort(port.targetPort()) != MtlsMode.DISABLE;
            }
            boolean istio = enabled && "istio".equals(ep.endpointTlsMode());
            out.add(new EndpointTransport(ep, port.targetPort(), istio ? Transport.ISTIO_MUTUAL : Transport.PLAINTEXT));
        }
        return new Outbound(name, Transport.PLAINTEXT, out, null,
                "auto-mTLS: Istio mTLS to endpoints with a sidecar whose port is not DISABLE, plaintext to the others"
                        + " (cluster_tls.go applyUpstreamTLSSettings, mtls_checker.go checkMtlsEnabled)");
    }

    private static List<EndpointTransport> each(List<MeshPod> eps, MeshService.Port port, Transport t) {
        List<EndpointTransport> out = new ArrayList<>();
        eps.forEach(e -> out.add(new EndpointTransport(e, port.targetPort(), t)));
        return out;
    }

    /** {@code BestEffortInferServiceMTLSMode}, pilot/pkg/model/push_context.go (top-level traffic policy). */
    private MtlsMode inferServiceMode(JsonNode topPolicy, MeshService svc, List<MeshPod> eps) {
        if (svc.headless() || "PASSTHROUGH".equals(PortTrafficPolicy.lbSimple(topPolicy))) {
            if (eps.isEmpty() || eps.stream().anyMatch(e -> "disabled".equals(e.endpointTlsMode()))) {
                return MtlsMode.DISABLE;
            }
        }
        return peers.namespaceMode(svc.namespace()).orElse(MtlsMode.PERMISSIVE);
    }

    /** Why a connection to a server-first application never gets going. */
    public enum Stall {
        /** The client's sidecar sniffs the port's protocol and waits for bytes the client never sends. */
        CLIENT_SNIFFS,
        /** The server's sidecar waits for the client's first bytes to choose a filter chain; the client waits too. */
        SERVER_WAITS
    }

    /**
     * The one server-first rule (the reachability model asks it too): whether a connection to an application that
     * speaks first ({@link ServiceProtocol#serverFirst}) stalls, and where.
     * <ul>
     *   <li>the client's sidecar sniffs a port whose protocol istiod cannot tell ({@link ServiceProtocol#UNSUPPORTED}:
     *       no protocol in the name or appProtocol and not a well-known port; {@code ConvertProtocol},
     *       pkg/config/kube/conversion.go): it waits for the client's first bytes (Istio's docs, "Server First
     *       Protocols": incompatible with automatic protocol selection);</li>
     *   <li>the server's sidecar waits, with no timeout (mesh {@code protocolDetectionTimeout} defaults to 0s,
     *       pilot/pkg/networking/core/listener_inbound.go), for the client's first bytes to choose a filter chain (TLS
     *       inspector: pilot/pkg/networking/core/filterchain_options.go) when its port is PERMISSIVE, or DISABLE and
     *       sniffed (the plaintext chains of an auto-detected port match on HTTP ALPNs), and the client sends plaintext.
     *       A client that originates TLS, Istio's (ISTIO_MUTUAL) or its own (DestinationRule SIMPLE/MUTUAL), speaks
     *       first with its ClientHello (the docs list "all clients sending TLS" among the fixes);</li>
     *   <li>a STRICT port refuses plaintext outright, and a server without a sidecar runs no Istio code: neither
     *       stalls ({@link MtlsMode#acceptsPlaintext}).</li>
     * </ul>
     * So a PERMISSIVE exception for MongoDB (27017 is TCP by {@code wellKnownPorts}, never sniffed) still stalls its
     * plaintext clients: the exception lets them in, the server's sidecar then waits for them to speak.
     *
     * @return the stall, or null when the connection gets going (or is refused, which is not a stall)
     */
    public static Stall stall(boolean clientSidecar, ServiceProtocol protocol, boolean serverSidecar, MtlsMode serverMode,
                              Transport sends) {
        if (clientSidecar && protocol == ServiceProtocol.UNSUPPORTED) {
            return Stall.CLIENT_SNIFFS;
        }
        if (!serverSidecar || sends != Transport.PLAINTEXT) {
            return null;
        }
        return serverMode == MtlsMode.PERMISSIVE || serverMode == MtlsMode.DISABLE && protocol == ServiceProtocol.UNSUPPORTED
                ? Stall.SERVER_WAITS : null;
    }

    /**
     * True when a server-first protocol would stall on the server's sidecar ({@link #stall} for a port istiod
     * carries as TCP, so only the server's side counts); {@code serverFirst} is the caller's knowledge of the
     * application ({@link ServiceProtocol#serverFirst}).
     */
    public boolean serverFirstStall(MeshPod server, int containerPort, boolean serverFirst, Transport clientSends) {
        return serverFirst && stall(false, ServiceProtocol.TCP, server.sidecar(), effective(server).forPort(containerPort),
                clientSends) == Stall.SERVER_WAITS;
    }

    /**
     * Why a server-first application behind {@code svc}'s {@code port} on {@code server} would never see a connection
     * from {@code client} get going, or empty when it would ({@link #stall}).
     */
    public Optional<String> serverFirstStall(MeshPod client, MeshService svc, MeshService.Port port, MeshPod server) {
        Transport sends = client.sidecar() && port.protocol() == ServiceProtocol.UNSUPPORTED ? Transport.PLAINTEXT
                : toService(client, svc.host(), port.port()).to(server);
        MtlsMode mode = effective(server).forPort(port.targetPort());
        Stall stall = stall(client.sidecar(), port.protocol(), server.sidecar(), mode, sends);
        if (stall == null) {
            return Optional.empty();
        }
        return Optional.of(stall == Stall.CLIENT_SNIFFS
                ? "the client's sidecar sniffs the protocol of " + svc.host() + ":" + port.port()
                        + " (no protocol in its name or appProtocol) and waits for bytes a server-first client never sends"
                : "the server's sidecar on " + server.id() + " port " + port.targetPort() + " (" + mode
                        + ") waits for the client's first bytes to choose a filter chain, and the client sends "
                        + sends.name().toLowerCase(java.util.Locale.ROOT) + " without speaking first");
    }
}

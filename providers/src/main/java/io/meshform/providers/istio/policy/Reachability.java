package io.meshform.providers.istio.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Who can reach whom in one {@link MeshState}: for every server workload, container port and the way clients reach
 * it (a Service port, or the pod's IP when no Service covers the port), and every client (pods grouped by namespace,
 * sidecar and, where DestinationRule selectors could tell them apart, labels; plus the stack's outside callers), the
 * outcome of a connection. The server side is {@link PeerAuthentications} (istiod's composition, container ports);
 * the client side is {@link ClientTls}. What a server accepts, by its sidecar's inbound filter chains
 * (pilot/pkg/networking/core/filterchain_options.go): STRICT only TLS chains (plaintext finds no filter chain and is
 * closed: Istio sets no default chain, listener_inbound.go); DISABLE only raw_buffer (Istio mTLS reaches the app as
 * bytes it cannot read); PERMISSIVE both, but a plaintext client of a server-first application waits forever (the TLS
 * inspector waits for the client's first bytes, protocolDetectionTimeout 0s; Istio's docs, "Server First
 * Protocols"); a pod without a sidecar accepts only what its application speaks, so Istio mTLS fails there. So does a
 * port of a sidecar pod that its traffic redirection does not capture ({@link Interception}: {@code
 * traffic.sidecar.istio.io/excludeInboundPorts}, an {@code includeInboundPorts} list without it, {@code
 * interceptionMode: NONE}): the connection reaches the application directly, the PeerAuthentication does not apply,
 * plaintext from anyone gets in, and a client's auto-mTLS (istiod knows nothing of the exclusion and sees the
 * endpoint's {@code tlsMode: istio} label) sends Istio mTLS the application cannot read. A sidecar client whose
 * redirection leaves the destination out ({@code excludeOutboundPorts}, {@code excludeOutboundIPRanges}, an {@code
 * includeOutboundIPRanges} without it) sends what its application sends: plaintext.
 */
public final class Reachability {
    /** How a connection ends. */
    public enum Result { MTLS, PLAINTEXT, OTHER_TLS, BROKEN }

    /** Why a broken connection breaks. */
    public enum Problem {
        /** Plaintext to a STRICT port: no inbound filter chain takes it. */
        PLAINTEXT_TO_STRICT,
        /**
         * TLS that is not Istio's (a DestinationRule's SIMPLE or MUTUAL, used as given by buildUpstreamTLSSettings,
         * pilot/pkg/networking/core/cluster_tls.go) to a STRICT port: the client presents no mesh certificate (nor
         * Istio's ALPN), so the STRICT chain, which requires one, refuses it.
         */
        TLS_TO_STRICT,
        /** {@link ClientMtls.Stall#SERVER_WAITS}: the server's sidecar waits for a plaintext client to speak first. */
        SERVER_FIRST_PERMISSIVE,
        /** {@link ClientMtls.Stall#CLIENT_SNIFFS}: the client's sidecar sniffs a server-first port's protocol. */
        SERVER_FIRST_SNIFFED,
        MTLS_TO_NO_SIDECAR,
        /** Istio mTLS to a port of a sidecar pod that its traffic redirection does not capture ({@link Interception}). */
        MTLS_TO_UNCAPTURED_PORT,
        /**
         * Istio mTLS to a gateway or waypoint pod ({@link ReachPod#gatewayProxy}): it has no sidecar, and auto mTLS sends
         * it plaintext (no {@code tlsMode: istio} label), so only a DestinationRule's ISTIO_MUTUAL sends this. Its
         * listeners come from its Gateway's servers ({@code buildGatewayListeners}, pilot/pkg/networking/core/
         * gateway.go), which read Istio mTLS on a port only with tls mode ISTIO_MUTUAL or AUTO_PASSTHROUGH; the model
         * does not read the servers and takes a plain one, as an ingress gateway's HTTP port is.
         */
        MTLS_TO_GATEWAY_PROXY,
        MTLS_TO_DISABLE
    }

    /** How a connection ends, and why: the client's decision and, when it breaks, what the server refuses. */
    public record Outcome(Result result, Problem problem, ClientTls.Decision decision) {
        public boolean broken() {
            return result == Result.BROKEN;
        }

        /** One clause; built only for the connections a report names. */
        public String why() {
            String d = decision.why();
            if (problem == null) {
                return d;
            }
            return switch (problem) {
                case MTLS_TO_NO_SIDECAR -> "sends Istio mTLS (" + d + ") to a pod without a sidecar";
                case MTLS_TO_UNCAPTURED_PORT -> "sends Istio mTLS (" + d + ") to a port that bypasses the server's sidecar,"
                        + " straight to the application";
                case MTLS_TO_GATEWAY_PROXY -> "sends Istio mTLS (" + d + ") to a gateway or waypoint proxy, which has no"
                        + " sidecar: its Gateway's servers decide what the port accepts, and only a server with tls mode"
                        + " ISTIO_MUTUAL or AUTO_PASSTHROUGH reads Istio mTLS";
                case PLAINTEXT_TO_STRICT -> "sends plaintext (" + d + ") to a port that requires mTLS";
                case TLS_TO_STRICT -> "sends TLS that is not Istio's (" + d + ") to a port that requires Istio mTLS";
                case MTLS_TO_DISABLE -> "sends Istio mTLS (" + d + ") to a port with mTLS DISABLE";
                case SERVER_FIRST_PERMISSIVE -> "sends plaintext (" + d + ") to a server-first port under PERMISSIVE: the"
                        + " sidecar waits for the client to speak first, the server waits too";
                case SERVER_FIRST_SNIFFED -> "sends to a server-first port whose protocol Istio sniffs (" + d + "): a"
                        + " sidecar waits for the client to speak first, the server waits too";
            };
        }
    }

    /** A server workload: its pods (alike but for pod-specific labels), its composed mTLS, its ways in. */
    public record Server(String id, ReachPod pod, List<ReachPod> pods, EffectiveMtls mtls, List<Entry> entries) {
    }

    /** One way into a server: container port and the Service port that leads there ("api:8080"), or "pod IP". */
    public record Entry(int containerPort, String via, ClientTls.Route route) {
    }

    /** Labels that differ between the pods of one workload and mean nothing to Istio's selectors here. */
    private static final Set<String> POD_SPECIFIC = Set.of("pod-template-hash", "controller-revision-hash",
            "statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index", "pod-template-generation",
            "batch.kubernetes.io/controller-uid", "controller-uid", "batch.kubernetes.io/job-name", "job-name");

    private final MeshState state;
    private final PeerAuthentications peers;
    private final ClientTls tls;
    /** The client side as the istiod of each revision configures it ({@link #tls(String)}), built when first asked. */
    private final Map<String, ClientTls> tlsByRevision = new HashMap<>();
    /** Whether some PeerAuthentication or DestinationRule is labelled for one revision ({@link ConfigRevision}). */
    private final boolean labelled;
    /** A sidecar client class's revision (the istiod that configures its proxy), when known. */
    private final Map<String, String> revisionOf = new HashMap<>();
    /** Each server by its key less the revision, the first of several: {@link #server(String)}. */
    private final Map<String, Server> byBaseKey = new HashMap<>();
    private final Map<String, Server> servers = new LinkedHashMap<>();
    private final Map<String, ClientTls.Client> classes = new LinkedHashMap<>();
    private final Map<String, String> classOf = new TreeMap<>();
    private final Map<String, OutsideCaller> callers = new HashMap<>();
    /** A sidecar client class's traffic redirection, and the same class as a client without a sidecar (bypassed). */
    private final Map<String, Interception> capture = new HashMap<>();
    private final Map<String, ClientTls.Client> bypassed = new HashMap<>();

    public Reachability(MeshState given) {
        // Services and pods indexed by namespace and one label (a service's first selector entry; each of a pod's
        // labels), so matching selectors costs the candidates, not every pair of the namespace.
        Map<String, List<ReachService>> servicesByLabel = new HashMap<>();
        for (ReachService s : given.services()) {
            if (!s.selector().isEmpty()) {
                Map.Entry<String, String> first = new TreeMap<>(s.selector()).firstEntry();
                servicesByLabel.computeIfAbsent(s.namespace() + "\u0000" + first.getKey() + "=" + first.getValue(),
                        k -> new ArrayList<>()).add(s);
            }
        }
        // Every pod with the ports it serves (served): the servers below, the endpoints of the Services and the
        // clients' view of them (IstioClientTls) must see the same pod.
        MeshState state = new MeshState(given.rootNamespace(), given.autoMtls(), given.defaultExportTo(), given.domain(),
                given.pods().stream().map(p -> served(p, servicesByLabel)).toList(), given.services(), given.peers(),
                given.rules(), given.callers());
        this.state = state;
        this.peers = new PeerAuthentications(state.rootNamespace(), state.peers());
        this.tls = new IstioClientTls(state, peers);
        this.labelled = state.peers().stream().anyMatch(p -> p.revision() != null)
                || state.rules().stream().anyMatch(r -> r.revision() != null);
        Set<String> selectorNamespaces = new HashSet<>();
        state.rules().stream().filter(r -> r.workloadSelector() != null).forEach(r -> selectorNamespaces.add(r.namespace()));
        Map<String, List<ReachPod>> grouped = new LinkedHashMap<>();
        for (ReachPod p : state.pods()) {
            String id = clientId(p);
            String outbound = p.sidecar() && !p.interception().outboundKey().equals(Interception.ALL.outboundKey())
                    ? "|capture:" + p.interception().outboundKey() : "";
            String klass = p.namespace() + "|" + p.sidecar() + "|" + (selectorNamespaces.contains(p.namespace()) ? p.labels() : "")
                    + outbound + revisionKey(p);
            if (!revisionKey(p).isEmpty()) {
                revisionOf.put(klass, p.revision());
            }
            classes.computeIfAbsent(klass, k -> new ClientTls.Client(p.namespace(), p.labels(), p.sidecar(), false, null));
            if (!outbound.isEmpty()) {
                capture.putIfAbsent(klass, p.interception());
                bypassed.computeIfAbsent(klass, k -> new ClientTls.Client(p.namespace(), p.labels(), false, false, null));
            }
            classOf.put(id, klass);
            if (!p.ports().isEmpty()) {
                List<Integer> uncaptured = p.ports().stream().map(ReachPod.Port::number).filter(n -> p.inboundBypass(n) != null)
                        .toList();
                grouped.computeIfAbsent(id + "|" + stable(p.labels()) + "|" + p.ports()
                        + (uncaptured.isEmpty() ? "" : "|uncaptured:" + uncaptured) + revisionKey(p), k -> new ArrayList<>()).add(p);
            }
        }
        for (OutsideCaller c : state.callers()) {
            String klass = "caller:" + c.name();
            classes.put(klass, new ClientTls.Client(null, Map.of(), false, true, c.sends()));
            classOf.put(c.describe(), klass);
            callers.put(klass, c);
        }
        Map<String, List<ReachPod>> podsByLabel = new HashMap<>();
        for (ReachPod p : state.pods()) {
            p.labels().forEach((k, v) -> podsByLabel.computeIfAbsent(p.namespace() + "\u0000" + k + "=" + v,
                    x -> new ArrayList<>()).add(p));
        }
        Map<ReachService, List<ReachPod>> endpoints = new java.util.IdentityHashMap<>();
        grouped.forEach((key, pods) -> {
            ReachPod rep = pods.get(0);
            EffectiveMtls mtls = peers.effective(rep); // by the PeerAuthentications its own istiod reads
            List<Entry> entries = new ArrayList<>();
            for (ReachPod.Port cp : rep.ports()) {
                MtlsMode mode = mtls.forPort(cp.number());
                boolean covered = false;
                for (ReachService s : candidates(servicesByLabel, rep)) {
                    if (!s.selects(rep)) {
                        continue;
                    }
                    for (ReachService.Port sp : s.ports()) {
                        if (rep.resolve(sp.targetPort()) == cp.number()) {
                            List<ReachPod> eps = endpoints.computeIfAbsent(s, k -> {
                                Map.Entry<String, String> first = new TreeMap<>(k.selector()).firstEntry();
                                return podsByLabel.getOrDefault(k.namespace() + "\u0000" + first.getKey() + "=" + first.getValue(),
                                        List.of()).stream().filter(k::selects).toList();
                            });
                            entries.add(new Entry(cp.number(), s.name() + ":" + sp.port(),
                                    new ClientTls.Route(s, sp, rep, cp.number(), eps, mode)));
                            covered = true;
                        }
                    }
                }
                if (!covered) {
                    entries.add(new Entry(cp.number(), "pod IP", new ClientTls.Route(null, null, rep, cp.number(), List.of(rep), mode)));
                }
            }
            Server server = new Server(clientId(rep), rep, List.copyOf(pods), mtls, List.copyOf(entries));
            servers.put(key, server);
            byBaseKey.putIfAbsent(baseKey(key), server);
        });
    }

    /**
     * The part of the server and client keys that names the revision serving a sidecar pod: the pods of one workload
     * served by two revisions (a canary's rolling restart) are configured by two istiods, each from the config objects
     * it reads ({@link ConfigRevision#readBy}), so as servers they are judged apart. As a client such a workload is one
     * row, judged with the revision of the last of its pods listed (its other revision's DestinationRules are not
     * judged for it): the middle of a rolling restart, not a state a plan leaves.
     */
    private static String revisionKey(ReachPod p) {
        return p.sidecar() && p.revision() != null ? REVISION_KEY + p.revision() : "";
    }

    private static final String REVISION_KEY = "\u0000rev:";

    private static String baseKey(String key) {
        int at = key.indexOf(REVISION_KEY);
        return at < 0 ? key : key.substring(0, at);
    }

    /**
     * The server of {@code key} (a key of another state of the same pods): that key's, else one of the same pods
     * served by another revision or by none (a pod that gains its sidecar, or moves to the canary, with the plan).
     */
    public Server server(String key) {
        Server exact = servers.get(key);
        return exact != null ? exact : byBaseKey.get(baseKey(key));
    }

    /**
     * The client side as the istiod of {@code revision} configures its proxies: the DestinationRules it reads and the
     * PeerAuthentications its auto mTLS reads ({@link ConfigRevision#readBy}); the whole mesh's when nothing is
     * labelled for one revision or the revision is not known.
     */
    private ClientTls tls(String revision) {
        if (!labelled || revision == null) {
            return tls;
        }
        return tlsByRevision.computeIfAbsent(revision, r -> new IstioClientTls(new MeshState(state.rootNamespace(), state.autoMtls(),
                state.defaultExportTo(), state.domain(), state.pods(), state.services(), state.peers(),
                state.rules().stream().filter(d -> ConfigRevision.readBy(d.revision(), r)).toList(), state.callers()),
                peers.servedBy(r)));
    }

    /**
     * {@code pod} with the ports it serves: its container ports, and each numeric {@code targetPort} of a Service that
     * selects it which no container declares. A container port is informational in Kubernetes, and istiod builds a
     * sidecar's inbound chains from its Services' target ports ({@code getFilterChainsByServicePort} over the proxy's
     * {@code ServiceTargets}, pilot/pkg/networking/core/listener_inbound.go), each with the PeerAuthentication's mode
     * for that port ({@code authnBuilder.ForPort}). Left out, a Deployment without {@code ports:} was no server at all:
     * a DestinationRule sending its Service plaintext under STRICT broke every call to it, and drift said "No drift".
     */
    private static ReachPod served(ReachPod pod, Map<String, List<ReachService>> servicesByLabel) {
        List<ReachPod.Port> ports = new ArrayList<>(pod.ports());
        Set<Integer> numbers = new HashSet<>();
        pod.ports().forEach(p -> numbers.add(p.number()));
        for (ReachService s : candidates(servicesByLabel, pod)) {
            for (ReachService.Port sp : s.ports()) {
                int target = s.selects(pod) ? pod.resolve(sp.targetPort()) : -1;
                if (target > 0 && numbers.add(target)) {
                    ports.add(new ReachPod.Port(target, null));
                }
            }
        }
        return ports.size() == pod.ports().size() ? pod : pod.withPorts(ports);
    }

    /** The Services that may select {@code pod}: those whose first selector entry is one of its labels, once each. */
    private static List<ReachService> candidates(Map<String, List<ReachService>> byLabel, ReachPod pod) {
        List<ReachService> out = new ArrayList<>();
        pod.labels().forEach((k, v) -> out.addAll(byLabel.getOrDefault(pod.namespace() + "\u0000" + k + "=" + v, List.of())));
        return out;
    }

    /** A pod's name as a client or server: namespace/workload. */
    public static String clientId(ReachPod p) {
        return p.namespace() + "/" + p.workload();
    }

    private static Map<String, String> stable(Map<String, String> labels) {
        Map<String, String> out = new TreeMap<>(labels);
        out.keySet().removeAll(POD_SPECIFIC);
        return out;
    }

    public MeshState state() {
        return state;
    }

    public PeerAuthentications peers() {
        return peers;
    }

    /** Server workloads by a key that is the same in another state of the same pods. */
    public Map<String, Server> servers() {
        return servers;
    }

    /** Client id ("ns/workload", or "caller NAME") to its class key. */
    public Map<String, String> clients() {
        return classOf;
    }

    /** The outcome of a connection from the clients of {@code classKey} into {@code entry}; null when it never happens. */
    public Outcome outcome(String classKey, Entry entry) {
        ClientTls.Client client = classes.get(classKey);
        if (client == null) {
            return null;
        }
        ClientTls.Route r = entry.route();
        OutsideCaller caller = callers.get(classKey);
        if (caller != null && !caller.calls(r.endpoint(), r.containerPort(), r.port())) {
            return null;
        }
        String bypass = outboundBypass(classKey, r);
        if (bypass != null) {
            client = bypassed.get(classKey);
        }
        ClientTls.Decision d = tls(revisionOf.get(classKey)).sends(client, r);
        if (bypass != null) {
            d = new ClientTls.Decision(d.sends(), "the client's sidecar does not capture this"
                    + " connection (" + bypass + "): it leaves as the application sends it", false);
        }
        boolean mtls = d.sends() == ClientTls.Sends.ISTIO_MTLS;
        Result ok = mtls ? Result.MTLS : d.sends() == ClientTls.Sends.OTHER_TLS ? Result.OTHER_TLS : Result.PLAINTEXT;
        Problem mismatch = mismatch(d.sends(), r);
        if (mismatch != null) {
            return new Outcome(Result.BROKEN, mismatch, d);
        }
        ClientMtls.Stall stall = serverFirstStall(client, r, d);
        if (stall != null) {
            return new Outcome(Result.BROKEN, stall == ClientMtls.Stall.CLIENT_SNIFFS ? Problem.SERVER_FIRST_SNIFFED
                    : Problem.SERVER_FIRST_PERMISSIVE, d);
        }
        return new Outcome(ok, null, d);
    }

    /**
     * Why a connection from a sidecar client of {@code classKey} over {@code r} leaves without its sidecar (one clause), or
     * null when its sidecar captures it. iptables in the client's network namespace sees the address the client dials:
     * a Service's cluster IP and port, a headless Service's pod IP and the Service port, or a pod IP and container port.
     */
    private String outboundBypass(String classKey, ClientTls.Route r) {
        Interception c = capture.get(classKey);
        if (c == null) {
            return null;
        }
        if (r.service() == null) {
            return c.outboundBypass(r.endpoint().ip(), r.containerPort());
        }
        return c.outboundBypass(r.service().headless() ? r.endpoint().ip() : r.service().clusterIp(), r.port().port());
    }

    /** The mTLS mismatch that breaks a connection sending {@code sends} over {@code r}, or null when there is none. */
    static Problem mismatch(ClientTls.Sends sends, ClientTls.Route r) {
        boolean mtls = sends == ClientTls.Sends.ISTIO_MTLS;
        if (mtls && r.endpoint().sidecar() && r.endpoint().gatewayProxy()) {
            return Problem.MTLS_TO_GATEWAY_PROXY;
        }
        if (mtls && r.endpoint().sidecar() && !r.endpoint().sidecarHandles(r.containerPort())) {
            return Problem.MTLS_TO_UNCAPTURED_PORT;
        }
        boolean sidecar = r.endpoint().sidecarHandles(r.containerPort());
        if (!sidecar && mtls) {
            return Problem.MTLS_TO_NO_SIDECAR;
        }
        if (sidecar && r.serverMode() == MtlsMode.STRICT && !mtls) {
            return sends == ClientTls.Sends.OTHER_TLS ? Problem.TLS_TO_STRICT : Problem.PLAINTEXT_TO_STRICT;
        }
        if (sidecar && r.serverMode() == MtlsMode.DISABLE && mtls) {
            return Problem.MTLS_TO_DISABLE;
        }
        return null;
    }

    /**
     * {@link ClientMtls#stall}, the one server-first rule, for an application {@link ServiceProtocol#serverFirst} names.
     * A Service port has the protocol istiod gives it ({@code ConvertProtocol}); a pod IP without a Service reaches the
     * client's PassthroughCluster, which does not sniff, so the port counts as TCP there.
     */
    private static ClientMtls.Stall serverFirstStall(ClientTls.Client client, ClientTls.Route r, ClientTls.Decision d) {
        ServiceProtocol protocol;
        if (r.port() != null) {
            if (!ServiceProtocol.serverFirst(r.port().port(), r.port().name(), r.port().appProtocol())) {
                return null;
            }
            protocol = ServiceProtocol.of(r.port().port(), r.port().name(), "TCP", r.port().appProtocol());
        } else {
            if (!ServiceProtocol.serverFirst(r.containerPort(), null, null)) {
                return null;
            }
            protocol = ServiceProtocol.TCP;
        }
        Outbound.Transport sends = switch (d.sends()) {
            case ISTIO_MTLS -> Outbound.Transport.ISTIO_MUTUAL;
            case OTHER_TLS -> Outbound.Transport.TLS;
            case PLAINTEXT -> Outbound.Transport.PLAINTEXT;
        };
        return ClientMtls.stall(client.sidecar(), protocol, r.endpoint().sidecarHandles(r.containerPort()), r.serverMode(), sends);
    }
}

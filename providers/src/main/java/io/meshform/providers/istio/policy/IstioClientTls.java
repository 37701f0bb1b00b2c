package io.meshform.providers.istio.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@link ClientTls} answered by {@link ClientMtls}, the client-side rules checked against istiod's own proxy config
 * (MtlsAgreementIT): DestinationRule choice and merge, port-level replacement, auto-mTLS with endpoint metadata,
 * headless all-or-nothing, PassthroughCluster for pod IPs. The reachability model hands it its inventory; this class
 * only translates (a pod's sidecar, as the model projects it, becomes the {@code security.istio.io/tlsMode} label the
 * injector writes) and asks a {@link ClientMtls} that knows only what the destination needs: the Service and its
 * endpoints (for a pod IP: the headless Services of its namespace that select it, and their endpoints), with every
 * DestinationRule and PeerAuthentication. The answers are the same as over the whole cluster (a Service's endpoints
 * and a pod IP's headless Services live in the destination's namespace); each lookup then scans a handful of
 * objects, not the cluster (MtlsModelBenchmark).
 */
public final class IstioClientTls implements ClientTls {
    private final MeshConfigView mesh;
    private final PeerAuthentications peers;
    private final DestinationRuleIndex rules;
    /** Shared by every {@link ClientMtls} below: composed once per server pod. */
    private final Map<MeshPod, EffectiveMtls> effective = new IdentityHashMap<>();
    private final Map<ReachService, String> hosts = new IdentityHashMap<>();
    /** Pods by namespace and one label, so a Service's endpoints are found among the pods with its first selector entry. */
    private final Map<String, List<ReachPod>> podsByLabel = new HashMap<>();
    private final Map<ReachService, List<ReachPod>> endpointsOf = new IdentityHashMap<>();
    private final Map<String, List<ReachService>> servicesByNs = new HashMap<>();
    private final Map<String, List<ReachPod>> podsByNs = new HashMap<>();
    private final Map<ReachService, ClientMtls> byService = new IdentityHashMap<>();
    private final Map<ReachPod, ClientMtls> byAddress = new IdentityHashMap<>();
    private final Map<ReachPod, MeshPod> pods = new IdentityHashMap<>();
    private final Map<ReachService, MeshService> services = new IdentityHashMap<>();
    private final Map<Client, MeshPod> clients = new IdentityHashMap<>();

    public IstioClientTls(MeshState state, PeerAuthentications peers) {
        this.mesh = new MeshConfigView(state.rootNamespace(), List.of(), null, "the reachability model", true, state.autoMtls(),
                state.defaultExportTo());
        this.peers = peers;
        this.rules = new DestinationRuleIndex(mesh.rootNamespace(), mesh.defaultDestinationRuleExportTo(), state.rules());
        state.services().forEach(s -> servicesByNs.computeIfAbsent(s.namespace(), k -> new ArrayList<>()).add(s));
        state.pods().forEach(p -> podsByNs.computeIfAbsent(p.namespace(), k -> new ArrayList<>()).add(p));
        state.pods().forEach(p -> p.labels().forEach((k, v) ->
                podsByLabel.computeIfAbsent(p.namespace() + "\u0000" + k + "=" + v, x -> new ArrayList<>()).add(p)));
    }

    @Override
    public Decision sends(Client client, Route route) {
        if (client.outside()) {
            return new Decision(client.declared(), "declared by the stack as a caller from outside the mesh", false);
        }
        MeshPod from = clients.computeIfAbsent(client, c -> new MeshPod(c.namespace(), "client", labels(c.labels(), c.sidecar()),
                c.sidecar(), "client-ip", List.of()));
        MeshPod to = pod(route.endpoint());
        if (route.service() == null) {
            return byAddress(from, to, route);
        }
        Outbound o = byService.computeIfAbsent(route.service(), this::forService).toService(from,
                hosts.computeIfAbsent(route.service(), s -> service(s).host()), route.port().port());
        return new Decision(sends(o.to(to)), o.why(), o.rule(), from.sidecar());
    }

    /**
     * A pod IP: a listener shared by several headless Services may send HTTP elsewhere than plain TCP
     * ({@link ClientMtls#toAddress(MeshPod, String, int, ClientMtls.Call)}). The application's protocol is not known
     * here, so where the two differ the one that breaks the connection is reported, and says it is HTTP's.
     */
    private Decision byAddress(MeshPod from, MeshPod to, Route route) {
        ClientMtls clients = byAddress.computeIfAbsent(route.endpoint(), this::forAddress);
        Outbound tcp = clients.toAddress(from, to.ip(), route.containerPort(), ClientMtls.Call.TCP);
        Outbound http = clients.toAddress(from, to.ip(), route.containerPort(), ClientMtls.Call.HTTP);
        Sends bySocket = sends(tcp.to(to));
        Sends byHttp = sends(http.to(to));
        if (bySocket != byHttp && Reachability.mismatch(byHttp, route) != null && Reachability.mismatch(bySocket, route) == null) {
            return new Decision(byHttp, "an HTTP connection goes to " + http.cluster() + " (" + http.why()
                    + "), while plain TCP goes to " + tcp.cluster(), http.rule(), from.sidecar());
        }
        return new Decision(bySocket, tcp.why(), tcp.rule(), from.sidecar());
    }

    private static Sends sends(Outbound.Transport t) {
        return switch (t) {
            case ISTIO_MUTUAL -> Sends.ISTIO_MTLS;
            case TLS -> Sends.OTHER_TLS;
            case PLAINTEXT -> Sends.PLAINTEXT;
        };
    }

    private ClientMtls forService(ReachService s) {
        return new ClientMtls(mesh, peers, rules, List.of(service(s)), endpoints(s).stream().map(this::pod).toList(), effective);
    }

    private ClientMtls forAddress(ReachPod pod) {
        List<MeshService> headless = new ArrayList<>();
        java.util.Set<ReachPod> eps = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        eps.add(pod);
        for (ReachService s : servicesByNs.getOrDefault(pod.namespace(), List.of())) {
            if (s.headless() && s.selects(pod)) {
                headless.add(service(s));
                eps.addAll(endpoints(s));
            }
        }
        return new ClientMtls(mesh, peers, rules, headless, eps.stream().map(this::pod).toList(), effective);
    }

    /** The pods {@code s} selects, in the inventory's order (a selector is a subset of its pods' labels). */
    private List<ReachPod> endpoints(ReachService s) {
        return endpointsOf.computeIfAbsent(s, k -> {
            if (k.selector().isEmpty()) {
                return List.of();
            }
            Map.Entry<String, String> first = new TreeMap<>(k.selector()).firstEntry();
            return podsByLabel.getOrDefault(k.namespace() + "\u0000" + first.getKey() + "=" + first.getValue(), List.of())
                    .stream().filter(k::selects).toList();
        });
    }

    private MeshPod pod(ReachPod p) {
        // a gateway or waypoint pod has no tlsMode label (ReachPod#gatewayProxy): auto mTLS sends it plaintext
        return pods.computeIfAbsent(p, k -> new MeshPod(k.namespace(), k.name(), labels(k.labels(), k.sidecar() && !k.gatewayProxy()),
                k.sidecar(), "pod:" + k.namespace() + "/" + k.name(), k.ports().stream().map(ReachPod.Port::number).toList()));
    }

    private MeshService service(ReachService s) {
        return services.computeIfAbsent(s, k -> {
            ReachPod first = endpoints(k).isEmpty() ? null : endpoints(k).get(0);
            List<MeshService.Port> ports = new ArrayList<>();
            for (ReachService.Port p : k.ports()) {
                int target = first == null ? -1 : first.resolve(p.targetPort());
                if (target < 0) {
                    target = p.targetPort().chars().allMatch(Character::isDigit) && !p.targetPort().isEmpty()
                            ? Integer.parseInt(p.targetPort()) : p.port();
                }
                ports.add(MeshService.Port.of(p.name(), p.port(), target, p.appProtocol()));
            }
            return new MeshService(k.namespace(), k.name(), k.headless(), k.selector(), ports, k.created());
        });
    }

    /** The labels istiod sees: the injector's {@code security.istio.io/tlsMode: istio} exactly when there is a sidecar. */
    private static Map<String, String> labels(Map<String, String> labels, boolean sidecar) {
        Map<String, String> out = new TreeMap<>(labels);
        out.remove(MeshPod.TLS_MODE_LABEL);
        if (sidecar) {
            out.put(MeshPod.TLS_MODE_LABEL, "istio");
        }
        return out;
    }
}

package io.meshform.providers.istio.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether a client's sidecar originates Istio mTLS to a destination, following istiod (istio/istio at the pinned
 * release):
 * <ul>
 *   <li>No sidecar: plaintext; no Istio code runs on the client's side.</li>
 *   <li>A pod IP that no Service port covers goes through {@code PassthroughCluster}, which has no transport socket
 *       (pilot/pkg/networking/core/cluster_builder.go {@code buildDefaultPassthroughCluster}): plaintext.</li>
 *   <li>The DestinationRule for the host: rules in the client's namespace (a workload selector only there), else
 *       the service namespace's exported rules, else the root namespace's; exact host before the most specific
 *       wildcard ({@code PushContext.destinationRule}, pilot/pkg/model/push_context.go; {@code MostSpecificHostMatch},
 *       config.go). A port entry replaces the top-level policy ({@code GetPortLevelTrafficPolicy}, util.go).
 *       ISTIO_MUTUAL is Istio mTLS to every endpoint; DISABLE plaintext; SIMPLE/MUTUAL TLS of the client's own
 *       ({@code buildUpstreamTLSSettings}, cluster_tls.go).</li>
 *   <li>No tls setting: auto-mTLS ({@code enableAutoMtls}, default true) when the service's mTLS mode
 *       ({@code BestEffortInferServiceMTLSMode}, push_context.go: the namespace/mesh-level mode; for a headless
 *       service DISABLE if any endpoint has no sidecar) is not DISABLE. Per endpoint, mTLS only to a pod with a
 *       sidecar whose composed mode for the port is not DISABLE ({@code checkMtlsEnabled},
 *       pilot/pkg/xds/endpoints/mtls_checker.go); a headless (ORIGINAL_DST) cluster gets mTLS for all endpoints or
 *       none (cluster_tls.go {@code applyUpstreamTLSSettings}).</li>
 * </ul>
 * Stand-in until the resolver proved against istiod (issue #20 point 4) replaces it behind {@link ClientTls}.
 */
public final class SidecarClientTls implements ClientTls {
    private final PeerAuthentications peers;
    private final boolean autoMtls;
    private final String domain;
    private final Map<String, List<TrafficTls>> byNamespace = new HashMap<>();
    private final Map<TrafficTls, String> fqdns = new java.util.IdentityHashMap<>();
    private final Map<String, MtlsMode> namespaceModes = new HashMap<>();
    /** The rule per client (classes are shared objects) and host: each is looked up once per model. */
    private final Map<Client, Map<ReachService, java.util.Optional<TrafficTls>>> chosen = new java.util.IdentityHashMap<>();

    public SidecarClientTls(PeerAuthentications peers, List<TrafficTls> rules, boolean autoMtls, String domain) {
        this.peers = peers;
        this.autoMtls = autoMtls;
        this.domain = domain;
        List<TrafficTls> sorted = new ArrayList<>(rules);
        // selector rules first, then oldest, then by name (sortConfigBySelectorAndCreationTime, push_context.go)
        sorted.sort(Comparator.comparing((TrafficTls r) -> r.selector().isEmpty())
                .thenComparing(TrafficTls::created, Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparing(TrafficTls::name));
        sorted.forEach(r -> byNamespace.computeIfAbsent(r.namespace(), k -> new ArrayList<>()).add(r));
        sorted.forEach(r -> fqdns.put(r, r.fqdn(domain)));
    }

    @Override
    public Decision sends(Client client, Route route) {
        if (client.outside()) {
            return new Decision(client.declared(), "declared by the stack as a caller from outside the mesh");
        }
        if (!client.sidecar()) {
            return new Decision(Sends.PLAINTEXT, "has no sidecar");
        }
        if (route.service() == null) {
            return new Decision(Sends.PLAINTEXT, "calls the pod's IP, which Istio sends through PassthroughCluster without TLS");
        }
        TrafficTls rule = rule(client, route.service());
        String mode = rule == null ? null : rule.modeFor(route.port().port());
        if (mode != null) {
            return switch (mode) {
                case "ISTIO_MUTUAL" -> new Decision(Sends.ISTIO_MTLS, rule.describe() + " sets ISTIO_MUTUAL");
                case "DISABLE" -> new Decision(Sends.PLAINTEXT, rule.describe() + " sets tls DISABLE");
                default -> new Decision(Sends.OTHER_TLS, rule.describe() + " sets tls " + mode);
            };
        }
        if (!autoMtls) {
            return new Decision(Sends.PLAINTEXT, "meshConfig.enableAutoMtls is false and no DestinationRule sets ISTIO_MUTUAL");
        }
        if (route.service().headless() && route.endpoints().stream().anyMatch(p -> !p.sidecar())) {
            return new Decision(Sends.PLAINTEXT, "auto-mTLS is off for headless Service " + route.service().namespace() + "/"
                    + route.service().name() + ": one of its pods has no sidecar");
        }
        if (namespaceModes.computeIfAbsent(route.service().namespace(), ns -> peers.namespaceMode(ns).orElse(MtlsMode.PERMISSIVE))
                == MtlsMode.DISABLE) {
            return new Decision(Sends.PLAINTEXT, "auto-mTLS is off: namespace " + route.service().namespace()
                    + " has mTLS DISABLE");
        }
        if (route.service().headless()) {
            return new Decision(Sends.ISTIO_MTLS, "auto-mTLS (headless service: every pod has a sidecar)");
        }
        if (!route.endpoint().sidecar()) {
            return new Decision(Sends.PLAINTEXT, "auto-mTLS sends plaintext to a pod without a sidecar");
        }
        if (route.serverMode() == MtlsMode.DISABLE) {
            return new Decision(Sends.PLAINTEXT, "auto-mTLS sends plaintext to a port with mTLS DISABLE");
        }
        return new Decision(Sends.ISTIO_MTLS, "auto-mTLS");
    }

    /** The DestinationRule Istio applies for {@code host} to this client, or null. */
    private TrafficTls rule(Client client, ReachService service) {
        Map<ReachService, java.util.Optional<TrafficTls>> perService = chosen.computeIfAbsent(client, k -> new java.util.IdentityHashMap<>());
        java.util.Optional<TrafficTls> known = perService.get(service);
        if (known != null) {
            return known.orElse(null);
        }
        String host = service.host(domain);
        String serviceNs = service.namespace();
        TrafficTls found = match(byNamespace.getOrDefault(client.namespace(), List.of()), host, client, true);
        if (found == null && !serviceNs.equals(client.namespace())) {
            found = match(byNamespace.getOrDefault(serviceNs, List.of()), host, client, false);
        }
        String root = peers.rootNamespace();
        if (found == null && !root.equals(client.namespace()) && !root.equals(serviceNs)) {
            found = match(byNamespace.getOrDefault(root, List.of()), host, client, false);
        }
        perService.put(service, java.util.Optional.ofNullable(found));
        return found;
    }

    private TrafficTls match(List<TrafficTls> rules, String host, Client client, boolean own) {
        TrafficTls best = null;
        int bestLength = -1;
        for (TrafficTls r : rules) {
            if (own ? !selects(r, client) : !r.exportedTo(client.namespace())) {
                continue;
            }
            String h = fqdns.get(r);
            int length;
            if (h.equals(host)) {
                length = Integer.MAX_VALUE;
            } else if (h.equals("*")) {
                length = 0;
            } else if (h.startsWith("*") && host.endsWith(h.substring(1))) {
                length = h.length();
            } else {
                continue;
            }
            if (length > bestLength) { // the first of equal specificity wins: selector rules, then the oldest
                best = r;
                bestLength = length;
            }
        }
        return best;
    }

    private static boolean selects(TrafficTls r, Client client) {
        for (Map.Entry<String, String> e : r.selector().entrySet()) {
            if (!e.getValue().equals(client.labels().get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }
}

package io.meshform.providers.istio.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What changes between two {@link Reachability} tables of the same pods (the live cluster and the plan's result, or
 * what was applied and the live cluster): per server workload, port and way in, the clients whose connection breaks,
 * the clients whose connection newly goes plaintext, and, when asked, the connections broken in both. Clients that
 * behave alike are compared once (a class change, e.g. a namespace gaining injection, is one transition), so the
 * work grows with classes times servers, not pods times pods.
 *
 * @param pairs every (client, server port) connection compared
 */
public record ReachDiff(List<Change> changes, int breaks, int newlyPlaintext, int stillBroken, int repaired, long pairs) {

    public enum Kind {
        /** Works before, broken after (or a new connection that is broken). */
        BREAKS,
        /** Istio mTLS before, plaintext after. */
        NEWLY_PLAINTEXT,
        /** Broken before and after (listed for drift, counted for plans). */
        BROKEN
    }

    /**
     * One server port's affected clients.
     *
     * @param server        "namespace/workload"
     * @param containerPort the pod's port
     * @param via           how clients reach it: "service:port", or "pod IP"
     * @param whys          what decides, one clause per kind of client
     * @param fix           the exception (or other change) that would make the connection work again
     */
    public record Change(Kind kind, String server, int containerPort, String via, Reachability.Problem problem,
                         List<String> whys, String fix, List<String> clients) {
        public String pair() {
            return server + ":" + containerPort + (via.equals("pod IP") ? " (pod IP)" : " (via " + via + ")");
        }
    }

    public static ReachDiff between(Reachability before, Reachability after, boolean listStillBroken) {
        Map<String, Transition> transitions = new LinkedHashMap<>();
        after.clients().forEach((id, klass) -> {
            String was = before.clients().get(id);
            transitions.computeIfAbsent(was + "\u0000" + klass, k -> new Transition(was, klass, new ArrayList<>(), new HashSet<>()))
                    .add(id);
        });
        Map<String, Acc> acc = new LinkedHashMap<>();
        int breaks = 0;
        int plaintext = 0;
        int still = 0;
        int repaired = 0;
        long pairs = 0;
        for (Map.Entry<String, Reachability.Server> se : after.servers().entrySet()) {
            Reachability.Server server = se.getValue();
            Reachability.Server was = before.server(se.getKey());
            Map<String, Reachability.Entry> wasEntries = new HashMap<>();
            if (was != null) {
                was.entries().forEach(e -> wasEntries.put(e.containerPort() + "|" + e.via(), e));
            }
            for (Reachability.Entry entry : server.entries()) {
                Reachability.Entry wasEntry = wasEntries.get(entry.containerPort() + "|" + entry.via());
                for (Transition t : transitions.values()) {
                    // a workload calling itself is no connection between workloads
                    List<String> ids = t.set().contains(server.id()) ? t.ids().stream().filter(id -> !id.equals(server.id())).toList()
                            : t.ids();
                    if (ids.isEmpty()) {
                        continue;
                    }
                    Reachability.Outcome now = after.outcome(t.to(), entry);
                    if (now == null) {
                        continue;
                    }
                    pairs += ids.size();
                    Reachability.Outcome then = wasEntry == null || t.from() == null ? null : before.outcome(t.from(), wasEntry);
                    Kind kind = null;
                    if (now.broken()) {
                        if (then == null || !then.broken()) {
                            kind = Kind.BREAKS;
                            breaks += ids.size();
                        } else {
                            still += ids.size();
                            kind = listStillBroken ? Kind.BROKEN : null;
                        }
                    } else if (now.result() == Reachability.Result.PLAINTEXT && then != null
                            && then.result() == Reachability.Result.MTLS) {
                        kind = Kind.NEWLY_PLAINTEXT;
                        plaintext += ids.size();
                    } else if (then != null && then.broken()) {
                        repaired += ids.size();
                    }
                    if (kind != null) {
                        Acc a = acc.computeIfAbsent(kind + "|" + server.id() + "|" + entry.containerPort() + "|" + entry.via()
                                + "|" + now.problem(), x -> new Acc());
                        a.kind = kind;
                        a.server = server;
                        a.entry = entry;
                        a.problem = now.problem();
                        a.whys.add(now.why());
                        a.clients.addAll(ids);
                        if (now.decision().rule() != null) {
                            a.rules.add(now.decision().rule().describe());
                        }
                        a.withoutSidecar |= !now.decision().sidecar();
                    }
                }
            }
        }
        List<Change> changes = new ArrayList<>();
        for (Acc a : acc.values()) {
            String fix = a.kind == Kind.NEWLY_PLAINTEXT ? "if the plaintext is intended, nothing; otherwise give the client"
                    + " a sidecar, or remove what turns mTLS off (" + String.join("; ", a.whys) + ")"
                    : fix(a.problem, a.server, a.entry, after.state().domain(), a.withoutSidecar, a.rules);
            changes.add(new Change(a.kind, a.server.id(), a.entry.containerPort(), a.entry.via(), a.problem,
                    List.copyOf(a.whys), fix, List.copyOf(a.clients)));
        }
        return new ReachDiff(List.copyOf(changes), breaks, plaintext, still, repaired, pairs);
    }

    /** Clients that move from one class (in the first table) to another (in the second). */
    private record Transition(String from, String to, List<String> ids, Set<String> set) {
        void add(String id) {
            ids.add(id);
            set.add(id);
        }
    }

    private static final class Acc {
        Kind kind;
        Reachability.Server server;
        Reachability.Entry entry;
        Reachability.Problem problem;
        final Set<String> whys = new LinkedHashSet<>();
        final Set<String> clients = new TreeSet<>();
        /** The DestinationRules whose tls mode decided what some of the clients send. */
        final Set<String> rules = new TreeSet<>();
        /** True when some client's connection leaves without its sidecar (none, an outside caller, a bypass). */
        boolean withoutSidecar;
    }

    /**
     * The exception that makes a broken connection work, in the stack's terms. {@code withoutSidecar} says some of the
     * clients send without a sidecar, {@code rules} names the DestinationRules whose tls mode decided what the others
     * send ({@code buildUpstreamTLSSettings}, pilot/pkg/networking/core/cluster_tls.go: a tls mode is used as given),
     * so the client-side fix is offered only to the clients it fits: a sidecar client is not told to get a sidecar.
     */
    static String fix(Reachability.Problem problem, Reachability.Server server, Reachability.Entry entry, String domain,
                      boolean withoutSidecar, Set<String> rules) {
        ReachPod pod = server.pod();
        int cp = entry.containerPort();
        ClientTls.Route r = entry.route();
        String host = r.service() == null ? null : r.service().host(domain);
        return switch (problem) {
            case PLAINTEXT_TO_STRICT, TLS_TO_STRICT -> {
                List<String> ways = new ArrayList<>();
                if (withoutSidecar) {
                    ways.add("give the client a sidecar");
                }
                for (String rule : rules) {
                    ways.add("set tls mode ISTIO_MUTUAL in " + rule + " (or drop its tls, so that auto-mTLS applies)");
                }
                ways.add(exception(server, cp, MtlsMode.PERMISSIVE) + " (port-level keys are container ports; mtls.mode"
                        + " PERMISSIVE for the whole workload)");
                yield String.join(", or ", ways);
            }
            case SERVER_FIRST_PERMISSIVE -> "Istio's docs (Server First Protocols): set port " + cp + " of "
                    + selectorFor(pod) + " to STRICT (every client has a sidecar) or DISABLE: "
                    + exception(server, cp, null) + ", or make the client send TLS";
            case SERVER_FIRST_SNIFFED -> "Istio's docs (Server First Protocols): name " + (r.port() == null ? "the port"
                    : "port " + r.port().port() + " of Service " + r.service().name()) + " for its protocol (e.g. tcp-"
                    + (r.port() == null ? cp : r.port().port()) + ") or set its appProtocol, so that no sidecar sniffs it";
            case MTLS_TO_NO_SIDECAR -> "give the server a sidecar (injection on for namespace " + pod.namespace()
                    + ", then restart it), or " + disableRule(host, r, rules);
            case MTLS_TO_UNCAPTURED_PORT -> "port " + cp + " bypasses the server's sidecar (" + pod.inboundBypass(cp)
                    + "), yet auto-mTLS sends Istio mTLS to it (istiod does not know of the exclusion): "
                    + exception(server, cp, MtlsMode.DISABLE) + " so that clients send plaintext, "
                    + disableRule(host, r, rules) + ", or stop excluding the port";
            case MTLS_TO_GATEWAY_PROXY -> "the pod is a gateway or waypoint proxy, not a sidecar, and auto-mTLS sends"
                    + " it plaintext: " + disableRule(host, r, rules) + (rules.isEmpty() ? "" : " (or drop its tls, so that auto-mTLS"
                    + " applies)") + ", or"
                    + " terminate Istio mTLS there with a Gateway server on port " + cp + " with tls mode ISTIO_MUTUAL";
            case MTLS_TO_DISABLE -> "drop the DISABLE for port " + cp + ", or " + disableRule(host, r, rules);
        };
    }

    /**
     * A workload PeerAuthentication exception for {@code port} ({@code mode} null: the mode is the reader's choice).
     * Istio composes one workload-level policy per pod, the oldest that selects it ({@code ComposePeerAuthentication},
     * pilot/pkg/security/authn/policy_applier.go): where one already selects the pod, a new one would lose to it, so
     * the exception goes into that one.
     */
    private static String exception(Reachability.Server server, int port, MtlsMode mode) {
        String setting = "portLevelMtls {" + port + ": {mode: " + (mode == null ? "STRICT or DISABLE" : mode.name()) + "}}";
        PeerPolicy kept = server.mtls().workload();
        if (kept != null) {
            return "set " + setting + " in " + kept.describe() + ", the workload policy Istio applies to the pod (a new"
                    + " one would lose to it: Istio keeps the oldest that selects the pod)";
        }
        return "add an istio.peerAuthentication in namespace " + server.pod().namespace() + " with selector {matchLabels: "
                + selectorFor(server.pod()) + "} and " + setting;
    }

    /** The client-side way out of Istio mTLS: the deciding rule's tls mode, or a new rule. */
    private static String disableRule(String host, ClientTls.Route r, Set<String> rules) {
        String port = r.port() == null ? "" : " for port " + r.port().port();
        if (!rules.isEmpty()) {
            return "set tls mode DISABLE" + port + " in " + String.join(" and ", rules);
        }
        return "a DestinationRule for " + (host == null ? "its host" : host) + " with tls mode DISABLE" + port;
    }

    /** The label that names a workload best in a selector: the chart name, app, Spark role, else all its labels. */
    static String selectorFor(ReachPod pod) {
        for (String key : List.of("app.kubernetes.io/name", "app", "spark-role", "component")) {
            if (pod.labels().containsKey(key)) {
                return "{" + key + ": " + pod.labels().get(key) + "}";
            }
        }
        return new java.util.TreeMap<>(pod.labels()).toString();
    }
}

package io.meshform.providers.istio.policy;

import io.meshform.providers.kubernetes.Json;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The TLS part of one DestinationRule, which is all the reachability model reads of it: for which host, visible to
 * which namespaces, for which client workloads, and the {@code trafficPolicy.tls.mode} at the top level and per
 * Service port ({@code portLevelSettings}; an entry replaces the top-level policy whole, so an entry without
 * {@code tls} means "no TLS setting": {@code GetPortLevelTrafficPolicy}, pilot/pkg/networking/util/util.go).
 *
 * @param host      {@code host} as written (a short name is relative to the rule's namespace)
 * @param exportTo  {@code exportTo}; empty means the mesh default ({@code ["*"]}, pkg/config/mesh/mesh.go)
 * @param selector  {@code workloadSelector.matchLabels}; non-empty makes the rule private to its namespace
 * @param mode      {@code trafficPolicy.tls.mode}, or null when the top level sets none
 * @param portModes Service port to the port entry's tls mode, null for an entry without {@code tls}
 * @param origin    the stack resource that declares it, or null
 */
public record TrafficTls(String namespace, String name, Instant created, String host, List<String> exportTo,
                         Map<String, String> selector, String mode, Map<Integer, String> portModes, String origin) {

    public TrafficTls {
        exportTo = List.copyOf(exportTo);
        selector = Map.copyOf(selector);
        portModes = java.util.Collections.unmodifiableMap(new HashMap<>(portModes));
    }

    /** From a DestinationRule's spec. */
    public static TrafficTls of(String namespace, String name, Instant created, JsonNode spec, String origin) {
        Map<Integer, String> ports = new HashMap<>();
        for (JsonNode p : spec.path("trafficPolicy").path("portLevelSettings")) {
            if (p.path("port").has("number")) {
                ports.put(p.path("port").path("number").asInt(), Json.text(p.path("tls"), "mode"));
            }
        }
        List<String> export = new java.util.ArrayList<>();
        spec.path("exportTo").forEach(e -> export.add(e.asString()));
        return new TrafficTls(namespace, name, created, Json.text(spec, "host", ""), export,
                Json.stringMap(spec.path("workloadSelector").path("matchLabels")),
                Json.text(spec.path("trafficPolicy").path("tls"), "mode"), ports, origin);
    }

    /**
     * The tls mode this rule sets for {@code servicePort}: the port entry's when there is one (null when the entry
     * sets no tls), else the top-level mode; null for "no setting" (auto-mTLS decides).
     */
    public String modeFor(int servicePort) {
        return portModes.containsKey(servicePort) ? portModes.get(servicePort) : mode;
    }

    /** The host as a fully qualified name: a short name is {@code <name>.<rule namespace>.svc.<domain>}. */
    public String fqdn(String domain) {
        if (host.startsWith("*") || host.contains(".")) {
            return host;
        }
        return host + "." + namespace + ".svc." + domain;
    }

    /**
     * Visible to clients in {@code clientNamespace} from another namespace: exportTo empty, "*", or naming it; a rule
     * with a workload selector is private whatever it says ({@code setDestinationRules}, push_context.go).
     */
    public boolean exportedTo(String clientNamespace) {
        if (!selector.isEmpty()) {
            return false;
        }
        return exportTo.isEmpty() || exportTo.contains("*") || exportTo.contains(clientNamespace);
    }

    public String id() {
        return namespace + "/" + name;
    }

    public String describe() {
        return "DestinationRule " + id() + (origin == null ? "" : " (" + origin + ")");
    }
}

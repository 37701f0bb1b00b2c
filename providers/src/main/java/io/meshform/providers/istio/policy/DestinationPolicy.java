package io.meshform.providers.istio.policy;

import io.meshform.engine.spi.SortedCopies;
import io.meshform.providers.kubernetes.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * One DestinationRule as the client-side mTLS model reads it.
 *
 * @param created          its creationTimestamp; null for one the plan creates (it sorts after every existing one)
 * @param host             {@code spec.host} resolved as istiod does ({@code ResolveShortnameToFQDN},
 *                         pilot/pkg/model/config.go): a name without a dot gets {@code .namespace.svc.cluster.local}
 * @param exportTo         {@code spec.exportTo} as written (empty: the mesh's {@code defaultDestinationRuleExportTo})
 * @param workloadSelector {@code spec.workloadSelector.matchLabels}, or null when the rule has no workloadSelector
 * @param trafficPolicy    {@code spec.trafficPolicy}, or null
 * @param origin           a stack resource address, or null when only the cluster has it
 * @param revision         its {@code istio.io/rev} label, null without one: only that revision's istiod reads it, for
 *                         the clients it serves ({@link ConfigRevision})
 */
public record DestinationPolicy(String namespace, String name, Instant created, String host, List<String> exportTo,
                                Map<String, String> workloadSelector, JsonNode trafficPolicy, String origin, String revision) {

    public DestinationPolicy {
        exportTo = List.copyOf(exportTo);
        // Sorted, not Map.copyOf (randomised per JVM): whatever iterates or prints it sees one order in every run.
        workloadSelector = workloadSelector == null ? null : SortedCopies.of(workloadSelector);
    }

    /** An unlabelled rule, read by every istiod. */
    public DestinationPolicy(String namespace, String name, Instant created, String host, List<String> exportTo,
                             Map<String, String> workloadSelector, JsonNode trafficPolicy, String origin) {
        this(namespace, name, created, host, exportTo, workloadSelector, trafficPolicy, origin, null);
    }

    /** The same rule labelled {@code istio.io/rev: revision} (null: unlabelled). */
    public DestinationPolicy withRevision(String revision) {
        return new DestinationPolicy(namespace, name, created, host, exportTo, workloadSelector, trafficPolicy, origin, revision);
    }

    /** From a DestinationRule spec. */
    public static DestinationPolicy of(String namespace, String name, Instant created, JsonNode spec, String origin) {
        List<String> export = new ArrayList<>();
        spec.path("exportTo").forEach(e -> export.add(e.asString()));
        JsonNode ws = spec.path("workloadSelector");
        Map<String, String> selector = ws.isObject() ? Json.stringMap(ws.path("matchLabels")) : null;
        JsonNode tp = spec.path("trafficPolicy");
        return new DestinationPolicy(namespace, name, created, fqdn(Json.text(spec, "host"), namespace), export, selector,
                tp.isObject() ? tp : null, origin);
    }

    /** {@code ResolveShortnameToFQDN}, pilot/pkg/model/config.go. */
    static String fqdn(String host, String namespace) {
        if (host == null || host.isEmpty() || host.equals("*") || host.contains(".") || host.contains(":")) {
            return host == null ? "" : host;
        }
        return host + "." + namespace + ".svc." + MeshService.DOMAIN;
    }

    public String id() {
        return namespace + "/" + name;
    }

    public String describe() {
        return "DestinationRule " + id() + (origin == null ? "" : " (" + origin + ")");
    }

    /** Istio's order ({@code sortConfigBySelectorAndCreationTime}, pilot/pkg/model/push_context.go). */
    static final java.util.Comparator<DestinationPolicy> ORDER = java.util.Comparator
            .comparing((DestinationPolicy d) -> d.workloadSelector() == null)
            .thenComparing(DestinationPolicy::created, java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder()))
            .thenComparing(DestinationPolicy::name).thenComparing(DestinationPolicy::namespace);
}

package io.meshform.providers.istio.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Which DestinationRule a client proxy uses for a host, as istiod decides it. A port of, from istio/istio at the pinned
 * release:
 * <ul>
 *   <li>{@code setDestinationRules} (pilot/pkg/model/push_context.go): rules sorted selector-first, then by creation
 *       time, name, namespace; a rule with a workloadSelector is private ({@code .}) whatever its exportTo; each rule goes
 *       to its namespace's local index when exported to {@code .}, {@code *}, its own namespace or nothing, and to its
 *       namespace's exported index unless it is private-only (exportTo just {@code .} or its own namespace, or empty
 *       while the mesh's {@code defaultDestinationRuleExportTo} holds {@code .}); a private-only rule of the root
 *       namespace also goes to the root-local index;</li>
 *   <li>{@code mergeDestinationRule} (same file, with {@code ENABLE_ENHANCED_DESTINATIONRULE_MERGE}, default true,
 *       pilot/pkg/features/experimental.go): rules for the same host in one index merge (the first rule's top-level
 *       trafficPolicy wins, a later one fills it only when absent) unless exportTo sets or workload selectors differ;</li>
 *   <li>{@code PushContext.destinationRule} (same file): the client's namespace's local index (the root-local one for a
 *       client in the root namespace), else the service namespace's exported rules that reach the client, else the
 *       root namespace's; host match by {@code MostSpecificHostMatch} (pilot/pkg/model/config.go): exact, else the
 *       longest matching wildcard;</li>
 *   <li>{@code SidecarScope.DestinationRule} (pilot/pkg/model/sidecar.go): of those entries, the first whose
 *       workloadSelector (in the client's own namespace) matches the client, else the last without a selector.</li>
 * </ul>
 */
final class DestinationRuleIndex {
    /** One consolidated entry ({@code ConsolidatedDestRule}): the merged rule and the rules it came from. */
    record Entry(DestinationPolicy first, Set<String> exportTo, JsonNode trafficPolicy, List<DestinationPolicy> from) {
        Entry merged(JsonNode policy, DestinationPolicy also) {
            List<DestinationPolicy> f = new ArrayList<>(from);
            f.add(also);
            return new Entry(first, exportTo, trafficPolicy == null ? policy : trafficPolicy, f);
        }
    }

    /** Entries by host (exact and wildcard hosts together; {@link #match} tells them apart). */
    private static final class Hosts {
        final Map<String, List<Entry>> byHost = new LinkedHashMap<>();
        /** The wildcard hosts of {@code byHost}, in its order: a lookup that misses scans only these. */
        final List<String> wildcards = new ArrayList<>();
    }

    private final String rootNamespace;
    private final Map<String, Hosts> local = new HashMap<>();
    private final Map<String, Hosts> exported = new HashMap<>();
    private final Hosts rootLocal = new Hosts();

    DestinationRuleIndex(String rootNamespace, List<String> defaultExportTo, Collection<DestinationPolicy> rules) {
        this.rootNamespace = rootNamespace;
        List<DestinationPolicy> sorted = new ArrayList<>(rules);
        sorted.sort(DestinationPolicy.ORDER);
        for (DestinationPolicy r : sorted) {
            Set<String> export = new HashSet<>(r.workloadSelector() == null ? r.exportTo() : List.of("."));
            if (export.isEmpty() || export.contains("*") || export.contains(".") || export.contains(r.namespace())) {
                merge(local.computeIfAbsent(r.namespace(), k -> new Hosts()), r, export);
            }
            boolean privateOnly = export.isEmpty() && defaultExportTo.contains(".")
                    || export.size() == 1 && (export.contains(".") || export.contains(r.namespace()));
            if (!privateOnly) {
                merge(exported.computeIfAbsent(r.namespace(), k -> new Hosts()), r, export);
            } else if (r.namespace().equals(rootNamespace)) {
                merge(rootLocal, r, export);
            }
        }
    }

    /** {@code mergeDestinationRule}, with the enhanced merge on. */
    private static void merge(Hosts index, DestinationPolicy rule, Set<String> export) {
        List<Entry> list = index.byHost.get(rule.host());
        if (list == null) {
            index.byHost.put(rule.host(), new ArrayList<>(List.of(new Entry(rule, export, rule.trafficPolicy(), List.of(rule)))));
            if (rule.host().startsWith("*")) {
                index.wildcards.add(rule.host());
            }
            return;
        }
        boolean appendSeparately = true;
        for (int i = 0; i < list.size(); i++) {
            Entry mdr = list.get(i);
            if (export.equals(mdr.exportTo())) {
                appendSeparately = false;
            } else if (!mdr.exportTo().isEmpty() && export.containsAll(mdr.exportTo())) {
                appendSeparately = true;
            } else {
                appendSeparately = true;
                continue;
            }
            Map<String, String> existing = mdr.first().workloadSelector();
            Map<String, String> incoming = rule.workloadSelector();
            boolean bothWithout = existing == null && incoming == null;
            boolean bothWith = existing != null && incoming != null;
            boolean selectorsMatch = (existing == null ? Map.of() : existing).equals(incoming == null ? Map.of() : incoming);
            if (bothWith && !selectorsMatch) {
                appendSeparately = true;
                continue;
            }
            if (bothWithout || bothWith) {
                appendSeparately = false;
            }
            list.set(i, mdr.merged(rule.trafficPolicy(), rule));
        }
        if (appendSeparately) {
            list.add(new Entry(rule, export, rule.trafficPolicy(), List.of(rule)));
        }
    }

    /** {@code MostSpecificHostMatch}: the exact host, else the most specific (longest) wildcard that matches. */
    private static List<Entry> match(Hosts index, String host) {
        if (index == null) {
            return null;
        }
        List<Entry> exact = index.byHost.get(host);
        if (exact != null && !host.startsWith("*")) {
            return exact;
        }
        String needle = host.startsWith("*") ? host.substring(1) : host;
        if (host.startsWith("*") && exact != null) {
            return exact;
        }
        String best = null;
        for (String h : index.wildcards) {
            if (needle.endsWith(h.substring(1)) && (best == null || h.length() > best.length())) {
                best = h;
            }
        }
        return best == null ? null : index.byHost.get(best);
    }

    /** {@code PushContext.destinationRule}: the entries for {@code host} a client in {@code clientNamespace} sees. */
    List<Entry> forClient(String clientNamespace, String host, String serviceNamespace) {
        if (!clientNamespace.equals(rootNamespace)) {
            List<Entry> own = match(local.get(clientNamespace), host);
            if (own != null) {
                return own;
            }
        } else {
            List<Entry> own = match(rootLocal, host);
            if (own != null) {
                return own;
            }
        }
        if (serviceNamespace != null) {
            List<Entry> svc = exportedTo(serviceNamespace, host, clientNamespace);
            if (!svc.isEmpty()) {
                return svc;
            }
        }
        return exportedTo(rootNamespace, host, clientNamespace);
    }

    /** {@code getExportedDestinationRuleFromNamespace}. */
    private List<Entry> exportedTo(String owner, String host, String clientNamespace) {
        List<Entry> found = match(exported.get(owner), host);
        if (found == null) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>();
        for (Entry e : found) {
            if (e.exportTo().isEmpty() || e.exportTo().contains("*") || e.exportTo().contains(clientNamespace)) {
                out.add(e);
            }
        }
        return out;
    }

    /** {@code SidecarScope.DestinationRule} for outbound traffic: the entry a client pod uses for {@code host}. */
    Entry select(MeshPod client, String host, String serviceNamespace) {
        Entry catchAll = null;
        for (Entry e : forClient(client.namespace(), host, serviceNamespace)) {
            Map<String, String> selector = e.first().workloadSelector();
            if (selector == null) {
                catchAll = e;
            }
            if (selector != null && client.namespace().equals(e.first().namespace())
                    && selector.entrySet().stream().allMatch(s -> s.getValue().equals(client.labels().get(s.getKey())))) {
                return e;
            }
        }
        return catchAll;
    }
}

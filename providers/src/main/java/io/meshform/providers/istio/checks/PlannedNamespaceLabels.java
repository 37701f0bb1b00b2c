package io.meshform.providers.istio.checks;

import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.CheckContext.Purpose;
import io.meshform.providers.kubernetes.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The namespaces' labels a run judges ({@link PlannedMesh#namespaceLabels}): the live ones, with what the stack's
 * {@code kubernetes.namespace} and {@code kubernetes.labels} (kind Namespace) resources set and drop as apply leaves
 * them. Sidecar injection and the revision serving a pod come from these labels.
 */
final class PlannedNamespaceLabels {
    private final CheckContext ctx;
    /** Asked for only by {@link #after}: the stack's own labels need no cluster (validate reads none). */
    private final java.util.function.Supplier<ClusterView> cluster;

    PlannedNamespaceLabels(CheckContext ctx, java.util.function.Supplier<ClusterView> cluster) {
        this.ctx = ctx;
        this.cluster = cluster;
    }

    /**
     * The labels of every namespace after the run, as apply leaves them: live labels, less the keys a stack resource
     * applied before and now drops (or, destroyed, drops all of) and owns alone, plus what the stack's
     * {@code kubernetes.namespace} and {@code kubernetes.labels} (kind Namespace) set (drift: live only). Each resource
     * applies under a field manager of its own, and server-side apply removes a field its manager stops applying only
     * when no other manager owns it (apply.go in k8s.io/apiserver's fieldmanager), so a label someone else also set
     * stays; {@code LiveLabels.after} plans the same.
     */
    Map<String, Map<String, String>> after() {
        Map<String, Map<String, String>> out = new TreeMap<>();
        cluster.get().namespaces().forEach((ns, labels) -> out.put(ns, new TreeMap<>(labels)));
        if (ctx.purpose() != Purpose.DRIFT) {
            declarations().forEach((ns, decls) -> decls.forEach(d -> {
                Map<String, String> live = out.get(ns);
                if (live != null) {
                    Set<String> declared = Json.stringMap(CheckSupport.after(ctx, d).get("labels")).keySet();
                    cluster.get().labelsOwnedOnlyBy(ns, d.address().toString()).stream().filter(k -> !declared.contains(k))
                            .forEach(live::remove);
                }
            }));
            ctx.removed().forEach((address, recorded) -> {
                String ns = Json.text(recorded, "name");
                if (address.type().equals(CheckSupport.LABELS_TYPE) && ns != null && out.containsKey(ns)
                        && "Namespace".equals(Json.text(recorded, "kind", "Namespace"))) {
                    cluster.get().labelsOwnedOnlyBy(ns, address.toString()).forEach(out.get(ns)::remove);
                }
            });
            declared().forEach((ns, labels) -> out.computeIfAbsent(ns, k -> new TreeMap<>()).putAll(labels));
        }
        return out;
    }

    /** What the stack sets on each namespace: labels by namespace, with the first resource that sets them. */
    Map<String, Map<String, String>> declared() {
        Map<String, Map<String, String>> out = new TreeMap<>();
        declarations().forEach((ns, decls) -> decls.forEach(d ->
                out.computeIfAbsent(ns, k -> new TreeMap<>()).putAll(Json.stringMap(CheckSupport.after(ctx, d).get("labels")))));
        return out;
    }

    /** The resources that set labels on each namespace: kubernetes.namespace, and kubernetes.labels of kind Namespace. */
    Map<String, List<ResourceDecl>> declarations() {
        Map<String, List<ResourceDecl>> out = new TreeMap<>();
        for (String type : List.of(CheckSupport.NAMESPACE_TYPE, CheckSupport.LABELS_TYPE)) {
            for (ResourceDecl d : ctx.declared(type)) {
                var s = CheckSupport.after(ctx, d);
                String ns = Json.text(s, "name");
                if (ns != null && (type.equals(CheckSupport.NAMESPACE_TYPE) || "Namespace".equals(Json.text(s, "kind", "Namespace")))) {
                    out.computeIfAbsent(ns, k -> new ArrayList<>()).add(d);
                }
            }
        }
        return out;
    }
}

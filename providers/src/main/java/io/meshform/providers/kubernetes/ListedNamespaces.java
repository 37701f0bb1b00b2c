package io.meshform.providers.kubernetes;

import io.meshform.engine.spi.StackContext;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * The namespaces that one run's read listed: {@code kubernetes.namespace} and {@code kubernetes.labels} (kind
 * Namespace) read every namespace with one LIST, and a {@code kubernetes.manifest} plan that asks whether its
 * namespace exists (to skip the server dry-run in a namespace the stack creates) is answered from that LIST instead
 * of one GET per namespace. The GETs were on the critical path of a cold apply: the plan's threads take the
 * manifests in plan order, grouped by namespace, so each namespace's GET waited for the one before it (N=100 cold
 * apply, debug timeline: five GETs over 1.2 s of a loaded machine; BENCHMARKS.md, issue 18, evening session,
 * apply100). The answer is the LIST's, made by the same run's read moments before; without such a LIST (no
 * namespace resource selected, or the LIST failed) the caller asks the server as before. It dies with the run's
 * context, as the GET's memo did.
 */
final class ListedNamespaces {
    private volatile Set<String> names;

    /** The record of the run {@code context} serves. */
    static ListedNamespaces of(StackContext context) {
        return context.memo(ListedNamespaces.class, ListedNamespaces::new);
    }

    /** Every namespace the run's LIST of namespaces answered with. */
    void listed(List<JsonNode> items) {
        names = items.stream().map(KubeObjects::nameOf).collect(Collectors.toUnmodifiableSet());
    }

    /** Whether {@code namespace} was in the run's LIST; empty when the run listed no namespaces. */
    Optional<Boolean> exists(String namespace) {
        Set<String> known = names;
        return known == null ? Optional.empty() : Optional.of(known.contains(namespace));
    }
}

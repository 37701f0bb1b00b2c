package io.meshform.engine.load;

import io.meshform.engine.diag.Diagnostics;
import io.meshform.engine.diag.Suggestions;
import io.meshform.engine.graph.ResourceGraph;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.plan.DependencyCycles;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code dependsOn} entries of a loaded stack: what the load can say of them before any graph is planned. */
final class DependsOnEntries {
    private DependsOnEntries() {
    }

    /**
     * The cycles of the {@code dependsOn} entries among the declared resources, when the load fails for other errors:
     * the graph's own check (with the implicit edges) runs only on a stack that loads, so a cycle was said only once
     * the other errors were fixed, where validate is to report every error of a file in one run.
     */
    static void cycles(List<ResourceDecl> resources, Diagnostics out) {
        Map<ResourceAddress, ResourceDecl> byAddress = new LinkedHashMap<>();
        resources.forEach(r -> byAddress.put(r.address(), r));
        ResourceGraph graph = new ResourceGraph();
        byAddress.keySet().forEach(graph::add);
        for (ResourceDecl r : resources) {
            // An undeclared target or the resource itself is its own error ({@link #check}), not a cycle.
            r.dependsOn().stream().filter(d -> byAddress.containsKey(d) && !d.equals(r.address()))
                    .forEach(d -> graph.addEdge(r.address(), d));
        }
        DependencyCycles.report(graph, byAddress::get, out);
    }

    /**
     * Each {@code dependsOn} target must be declared. When entries of {@code resources:} were left out for their own
     * errors, the target may be one of them: the hint says so instead of "the stack declares no other resource",
     * which was untrue then (a resource whose {@code type:} was misspelt was still written in the file).
     */
    static void check(List<ResourceDecl> resources, int leftOut, Diagnostics out) {
        Set<ResourceAddress> declared = new HashSet<>();
        resources.forEach(r -> declared.add(r.address()));
        for (ResourceDecl r : resources) {
            for (int i = 0; i < r.dependsOn().size(); i++) {
                ResourceAddress d = r.dependsOn().get(i);
                if (!declared.contains(d)) {
                    // A resource cannot depend on itself, so it is never the suggestion (it was, as the only close name).
                    List<String> others = declared.stream().filter(a -> !a.equals(r.address()))
                            .map(ResourceAddress::toString).toList();
                    String hint = others.isEmpty() ? "the stack declares no other resource; remove this entry"
                            : Suggestions.hint(d.toString(), others);
                    if (leftOut > 0) {
                        hint = (leftOut == 1 ? "1 resource entry with an error above is" : leftOut
                                + " resource entries with errors above are") + " left out and may be the one it names: fix "
                                + (leftOut == 1 ? "that error" : "those errors") + " first"
                                + (others.isEmpty() ? "" : "; otherwise, " + hint);
                    }
                    out.error("`" + r.address() + "` depends on `" + d + "`, which the stack does not declare", hint,
                            r.source().range("/dependsOn/" + i));
                } else if (d.equals(r.address())) {
                    out.error("`" + r.address() + "` depends on itself", null, r.source().range("/dependsOn/" + i));
                }
            }
        }
    }
}

package io.meshform.engine.plan;

import io.meshform.engine.diag.Diagnostics;
import io.meshform.engine.graph.ResourceGraph;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.Stack;
import java.util.List;
import java.util.function.Function;

/** The planner's refusal of a dependency cycle, said where the user can break it. */
public final class DependencyCycles {
    private DependencyCycles() {
    }

    /**
     * A cycle is an error at the {@code dependsOn} entry that closes it (the last one written along the cycle), so
     * the user sees which line to change; a cycle of implicit edges alone is named without a position.
     */
    static void refuse(ResourceGraph graph, Stack stack) {
        Diagnostics out = new Diagnostics();
        report(graph, a -> stack.find(a).orElse(null), out);
        out.throwIfErrors();
    }

    /** Each cycle of {@code graph} as an error in {@code out}; {@code declared} gives a node's declaration, or null. */
    public static void report(ResourceGraph graph, Function<ResourceAddress, ResourceDecl> declared, Diagnostics out) {
        for (List<ResourceAddress> cycle : graph.cycles()) {
            String path = String.join(" -> ", cycle.stream().map(ResourceAddress::toString).toList());
            io.meshform.engine.diag.SourceRange at = null;
            String closing = null;
            for (int i = 0; i + 1 < cycle.size(); i++) {
                ResourceAddress from = cycle.get(i);
                ResourceAddress to = cycle.get(i + 1);
                ResourceDecl decl = declared.apply(from);
                int index = decl == null ? -1 : decl.dependsOn().indexOf(to);
                if (index >= 0) {
                    at = decl.source().range("/dependsOn/" + index);
                    closing = "`" + from + "` depends on `" + to + "`";
                }
            }
            out.error("dependency cycle: " + path,
                    (closing != null ? closing + " here, which closes the cycle; remove this dependsOn entry or another"
                            + " one along the cycle" : "remove one `dependsOn` entry along the cycle")
                            + " (implicit edges: an Istio policy depends on the Istio install, a label on its namespace)", at);
        }
    }
}

package io.meshform.engine.plan;

import io.meshform.engine.diag.Diagnostics;
import io.meshform.engine.graph.ResourceGraph;
import io.meshform.engine.model.ResourceAddress;
import java.util.HashSet;
import java.util.Set;

/**
 * The resources a plan covers: every one declared or recorded, or those --target names with what they depend on
 * (with what depends on them, when destroying), less those --exclude names with what depends on them (what they
 * depend on, when destroying). What is left out is said by {@link PartialPlan}.
 */
final class PlanSelection {
    private PlanSelection() {
    }

    /** "did you mean" for an address given on the command line: the closest one declared or recorded. */
    private static String known(ResourceGraph graph, ResourceAddress given) {
        return io.meshform.engine.diag.Suggestions.closest(given.toString(),
                graph.nodes().stream().map(ResourceAddress::toString).toList())
                .map(s -> "did you mean `" + s + "`?").orElse("`meshform state list` shows what the state records");
    }

    /**
     * The addresses this plan covers; an address --target, --exclude or --replace names that is neither declared nor
     * recorded is an error, with the closest known one, and so is a --replace of an address the selection leaves out.
     */
    static Set<ResourceAddress> select(ResourceGraph graph, PlanOptions options) {
        Diagnostics problems = new Diagnostics();
        for (ResourceAddress a : options.targets()) {
            if (!graph.contains(a)) {
                problems.error("--target `" + a + "` is neither declared nor recorded in state", known(graph, a), null);
            }
        }
        for (ResourceAddress a : options.excludes()) {
            if (!graph.contains(a)) {
                problems.error("--exclude `" + a + "` is neither declared nor recorded in state", known(graph, a), null);
            }
        }
        for (ResourceAddress a : options.replace()) {
            if (!graph.contains(a)) {
                problems.error("--replace `" + a + "` is neither declared nor recorded in state", known(graph, a), null);
            }
        }
        problems.throwIfErrors();
        Set<ResourceAddress> selected = new HashSet<>(options.targets().isEmpty()
                ? graph.nodes()
                : options.destroy() ? graph.withDependants(options.targets()) : graph.withDependencies(options.targets()));
        selected.removeAll(options.destroy() ? graph.withDependencies(options.excludes()) : graph.withDependants(options.excludes()));
        for (ResourceAddress r : options.replace()) {
            if (!selected.contains(r)) {
                problems.error("--replace names `" + r + "`, which --target or --exclude leaves out of this plan",
                        "add it to --target, or drop the --exclude that leaves it out", null);
            }
        }
        problems.throwIfErrors();
        return selected;
    }
}

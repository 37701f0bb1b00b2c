package io.meshform.engine.plan;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.graph.ResourceGraph;
import io.meshform.engine.model.ResourceAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The note a plan made with {@code --target} or {@code --exclude} carries: which resources it did not plan. Without it
 * such a plan reads like a whole one ("Plan: 0 to add, 1 to change"), and whoever approves it (or its saved file, or
 * its Markdown comment, which do not show the command line) cannot tell that changes to the other resources are
 * neither shown nor applied. Terraform says the same as a warning, "Resource targeting is in effect"; here it is a
 * note, since {@code --strict} makes every warning an error and a partial plan is a choice, not a risk the plan found.
 */
final class PartialPlan {
    /** Addresses named in the note; the rest are counted. */
    private static final int NAMED = 10;

    private PartialPlan() {
    }

    /** The resources --target or --exclude left out, in address order; none without either option. */
    static List<ResourceAddress> leftOut(ResourceGraph graph, Set<ResourceAddress> selected, PlanOptions options) {
        if (options.targets().isEmpty() && options.excludes().isEmpty()) {
            return List.of();
        }
        Set<ResourceAddress> left = new TreeSet<>(graph.nodes());
        left.removeAll(selected);
        return List.copyOf(left);
    }

    static Optional<Diagnostic> note(ResourceGraph graph, Set<ResourceAddress> selected, PlanOptions options) {
        List<ResourceAddress> left = leftOut(graph, selected, options);
        if (left.isEmpty()) {
            return Optional.empty();
        }
        List<String> how = new ArrayList<>();
        options.targets().forEach(a -> how.add("--target " + a));
        options.excludes().forEach(a -> how.add("--exclude " + a));
        List<String> named = left.stream().limit(NAMED).map(ResourceAddress::toString).toList();
        String more = left.size() > NAMED ? " and " + (left.size() - NAMED) + " more" : "";
        return Optional.of(Diagnostic.info("partial plan (" + String.join(", ", how) + "): " + left.size() + " of "
                        + graph.nodes().size() + " resources were not planned; changes to them are neither shown nor made",
                "not planned: " + String.join(", ", named) + more + "\nplan without --target and --exclude to see every"
                        + " change", null));
    }
}

package io.meshform.engine.plan;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.graph.ResourceGraph;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.state.DeposedObject;
import io.meshform.state.StateSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The note a plan made with {@code --target} or {@code --exclude} carries: which resources it did not plan. Without it
 * such a plan reads like a whole one ("Plan: 0 to add, 1 to change"), and whoever approves it (or its saved file, or
 * its Markdown comment, which do not show the command line) cannot tell that changes to the other resources are
 * neither shown nor applied. Terraform says the same as a warning, "Resource targeting is in effect"; here it is a
 * note, since {@code --strict} makes every warning an error and a partial plan is a choice, not a risk the plan found.
 *
 * <p>The deposed objects the selection does not delete ({@link DeposedDeletes#chosen}) are left out too, and named:
 * one whose address is neither declared nor recorded any more is in no resource of the graph, so without this a plan
 * with --target would say "No changes" while an old object of a move waits in the cluster to be deleted.
 */
final class PartialPlan {
    /** Addresses named in the note; the rest are counted. */
    private static final int NAMED = 10;

    private PartialPlan() {
    }

    /**
     * The addresses --target or --exclude left out, in address order: resources, and those of deposed objects not
     * deleted (an address once, whether its resource, its deposed objects or both are left out); none without either.
     */
    static List<ResourceAddress> leftOut(ResourceGraph graph, Set<ResourceAddress> selected, PlanOptions options,
                                         StateSnapshot state) {
        if (options.targets().isEmpty() && options.excludes().isEmpty()) {
            return List.of();
        }
        Set<ResourceAddress> left = new TreeSet<>(resources(graph, selected));
        deposed(graph, selected, options, state).forEach(d -> left.add(ResourceAddress.parse(d.address())));
        return List.copyOf(left);
    }

    static Optional<Diagnostic> note(ResourceGraph graph, Set<ResourceAddress> selected, PlanOptions options,
                                     StateSnapshot state) {
        if (options.targets().isEmpty() && options.excludes().isEmpty()) {
            return Optional.empty();
        }
        Set<ResourceAddress> resources = resources(graph, selected);
        List<DeposedObject> deposed = deposed(graph, selected, options, state);
        if (resources.isEmpty() && deposed.isEmpty()) {
            return Optional.empty();
        }
        List<String> how = new ArrayList<>();
        options.targets().forEach(a -> how.add("--target " + a));
        options.excludes().forEach(a -> how.add("--exclude " + a));
        List<String> what = new ArrayList<>();
        if (!resources.isEmpty()) {
            what.add(resources.size() + " of " + graph.nodes().size() + " resources");
        }
        if (!deposed.isEmpty()) {
            what.add(deposed.size() + (deposed.size() == 1 ? " deposed object (the old object of a move, still to delete)"
                    : " deposed objects (old objects of moves, still to delete)"));
        }
        List<String> all = Stream.concat(resources.stream().map(ResourceAddress::toString),
                deposed.stream().map(DeposedObject::describe)).toList();
        String more = all.size() > NAMED ? " and " + (all.size() - NAMED) + " more" : "";
        return Optional.of(Diagnostic.info("partial plan (" + String.join(", ", how) + "): " + String.join(" and ", what)
                        + (resources.isEmpty() && deposed.size() == 1 ? " was" : " were")
                        + " not planned; changes to them are neither shown nor made",
                "not planned: " + String.join(", ", all.stream().limit(NAMED).toList()) + more
                        + "\nplan without --target and --exclude to see every change", null));
    }

    private static Set<ResourceAddress> resources(ResourceGraph graph, Set<ResourceAddress> selected) {
        Set<ResourceAddress> left = new TreeSet<>(graph.nodes());
        left.removeAll(selected);
        return left;
    }

    private static List<DeposedObject> deposed(ResourceGraph graph, Set<ResourceAddress> selected, PlanOptions options,
                                               StateSnapshot state) {
        return state.deposed().stream()
                .filter(d -> !DeposedDeletes.chosen(ResourceAddress.parse(d.address()), graph, selected, options)).toList();
    }
}

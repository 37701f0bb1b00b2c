package io.meshform.engine.plan;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.Diagnostics;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.diag.Severity;
import io.meshform.engine.graph.ResourceGraph;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.ResourceType;
import io.meshform.engine.spi.StackContext;
import io.meshform.engine.spi.TypeRegistry;
import io.meshform.state.DeposedObject;
import io.meshform.state.StateSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The plan's deletes of deposed objects ({@link DeposedObject}): old objects of moves whose delete did not go through.
 * Each is deleted whatever the stack now says about its resource (declared as before, moved again, removed, replaced,
 * destroyed), as Terraform plans a deposed object's destroy (internal/plans: a ResourceInstanceChange with a DeposedKey).
 * The same rule as for any delete holds ({@link ForeignDelete}): only an object carrying this state's mark goes; another
 * is kept recorded, with a warning, until {@code meshform state rm}. One already gone only loses its record: the plan
 * counts it as forgotten ({@link ResourceChange#dropsRecord}), not destroyed.
 */
public final class DeposedDeletes {
    /** Private data of a planned change: it deletes the deposed object of this key, not the resource's object. */
    public static final String KEY = "meshform/deposed";

    private DeposedDeletes() {
    }

    /**
     * The deletes of the deposed objects in this selection: those of a selected address, and with no --target those of
     * an address neither declared nor recorded any more (its only object is deposed), unless --exclude names it.
     */
    static List<ResourceChange> plan(TypeRegistry types, StackContext context, StateSnapshot state, ResourceGraph graph,
                                     Set<ResourceAddress> selected, PlanOptions options, Diagnostics out) {
        List<ResourceChange> changes = new ArrayList<>();
        for (DeposedObject d : state.deposed()) {
            ResourceAddress a = ResourceAddress.parse(d.address());
            if (chosen(a, graph, selected, options)) {
                change(types, context, state, a, d, options.strict(), out).ifPresent(changes::add);
            }
        }
        return changes;
    }

    /**
     * Whether this selection deletes the deposed objects of {@code a}: those of a selected address, and with no --target
     * those of an address neither declared nor recorded any more, unless --exclude names it. The others are left out
     * of a partial plan, which names them ({@link PartialPlan}).
     */
    static boolean chosen(ResourceAddress a, ResourceGraph graph, Set<ResourceAddress> selected, PlanOptions options) {
        return selected.contains(a) || !graph.contains(a)
                && (options.targets().isEmpty() || options.targets().contains(a)) && !options.excludes().contains(a);
    }

    /**
     * Adds the recorded value of each deposed object this plan deletes to the checks' {@code removed}: it is in the
     * cluster until the apply's last steps, and a check that judged it as staying would call a moved
     * PeerAuthentication's old object "not managed by the stack" or count its mode in the mTLS preview. Keyed by the
     * resource's address, which a resource deleted in the same plan already holds: then that one is judged removed and
     * the deposed object as staying (a rename and a removal of the same address before a retry; rare, and said no
     * better than before).
     */
    static void judgedRemoved(List<ResourceChange> deposed, StateSnapshot state, Map<ResourceAddress, JsonNode> removed) {
        for (ResourceChange c : deposed) {
            String key = c.privateData().get(KEY);
            state.deposed().stream().filter(d -> d.key().equals(key) && d.address().equals(c.address().toString()))
                    .findFirst().ifPresent(d -> removed.putIfAbsent(c.address(), d.object().attributes()));
        }
    }

    private static Optional<ResourceChange> change(TypeRegistry types, StackContext context, StateSnapshot state,
                                                   ResourceAddress a, DeposedObject d, boolean strict, Diagnostics out) {
        ResourceType type = types.find(d.object().type()).orElseThrow(() -> new DiagnosticsException(Diagnostic.error(
                "state records " + d.describe() + " of type `" + d.object().type() + "`, which no provider offers",
                "use a meshform that has this type, or forget it with `meshform state rm " + a + "`", null)));
        DeposedLive found = DeposedLive.read(types, context, type, d);
        LiveObject live = found.live();
        Map<String, String> key = Map.of(KEY, d.key());
        if (found.gone()) {
            // Nothing to destroy: counted as forgotten (Terraform plans no destroy of a deposed object whose refresh
            // found it gone, internal/terraform/node_resource_abstract_instance.go planDestroy).
            out.add(Diagnostic.info(d.describe() + " is already gone from the cluster: apply drops its record",
                    "It is the old object of a move whose delete failed; something else deleted it since.", null));
            return Optional.of(new ResourceChange(a, Action.DELETE, "the old object of a move, whose delete did not go"
                    + " through; something else deleted it since", null, null, List.of(), List.of(), Map.of(KEY, d.key(), Planner.GONE_STEP, "true"),
                    null, List.of()));
        }
        if (!found.ours(state.lineage())) {
            String detail = "It is the old object of a move whose delete failed, and it was made again or marked by something"
                    + " else since. Delete it by hand if it is to go; `meshform state rm " + a + "` forgets it (with the"
                    + " resource's own entry).";
            out.add(new Diagnostic(strict ? Severity.ERROR : Severity.WARNING, d.describe() + ": "
                    + (live.ownership().object() == null ? "its object" : live.ownership().object())
                    + " does not carry this state's mark, so it is not deleted and stays recorded",
                    strict ? detail + "\n(an error because of --strict)" : detail, null));
            return Optional.empty();
        }
        return Optional.of(new ResourceChange(a, Action.DELETE, "the old object of a move, whose delete did not go through",
                found.masked(), null,
                List.of(), List.of(), key, live.version(), List.of()));
    }
}

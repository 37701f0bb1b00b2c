package io.meshform.engine.plan;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.ResourceType;
import io.meshform.state.ResourceState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * How a resource's state entry compares with its declaration, for a resource whose object needs no change. The planner
 * asks here, so that an entry apply would rewrite is a step the plan shows and counts ("1 to record"); the applier runs
 * only the steps the plan shows.
 */
public final class RecordedEntry {
    /**
     * Numbers equal by value: the stack's YAML gives 8080 as a big-integer node and 0.5 as a decimal node, the state's
     * JSON gives back an int node and a double node, and Jackson's node equality compares the node classes too.
     */
    private static final Comparator<JsonNode> BY_VALUE = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            // A double that is not finite has no BigDecimal (JSON has no such number, but a node may hold one).
            return finite(a) && finite(b) ? a.decimalValue().compareTo(b.decimalValue())
                    : Double.compare(a.doubleValue(), b.doubleValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    private RecordedEntry() {
    }

    /** True when the two values are the same JSON value: as {@link JsonNode#equals}, with numbers compared by value. */
    public static boolean sameValue(JsonNode a, JsonNode b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.equals(BY_VALUE, b);
    }

    /**
     * For a resource whose object needs no change: the reason of the record step apply takes (the state does not record
     * the live object yet, or records it out of date), or empty when apply has nothing to write for it.
     */
    static Optional<String> recordStep(ResourceType type, ResourceDecl decl, ResourceState recorded, boolean live,
                                       List<ResourceAddress> dependsOn, String reason) {
        if (recorded == null) {
            return !live ? Optional.empty() : Optional.of(reason.contains("apply records it") ? reason
                    : "in the cluster as declared, not recorded in state; apply records it in state: " + reason);
        }
        return outdated(type, decl, recorded, dependsOn).map(what -> "in the cluster as declared, but its state entry is"
                + " out of date (" + what + "); apply records it in state as declared: " + reason);
    }

    /**
     * What of {@code recorded} no longer says what is declared (empty when it is up to date): the attributes, the
     * dependencies (destroy deletes in their reverse order) or lifecycle.preventDestroy (destroy refuses what the
     * state protects, after the declaration has gone).
     */
    public static Optional<String> outdated(ResourceType type, ResourceDecl decl, ResourceState recorded,
                                            List<ResourceAddress> dependsOn) {
        List<String> what = new ArrayList<>();
        if (!covers(recorded.attributes(), SensitivePaths.recordable(type, decl))) {
            what.add("spec");
        }
        if (!dependsOnKey(dependsOn).equals(recorded.metadata().get(Planner.DEPENDS_ON_KEY))) {
            what.add("dependencies");
        }
        if (decl.lifecycle().preventDestroy() != "true".equals(recorded.metadata().get(Planner.PREVENT_DESTROY_KEY))) {
            what.add("lifecycle.preventDestroy");
        }
        return what.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", what));
    }

    /**
     * True when {@code recorded} holds every field of {@code declared} with the same value. Fields the state records
     * beyond the declaration are no reason to rewrite the entry of an object that needs no change: an import records
     * the live object (every label of a namespace, say), and the plan after it must say "No changes", as Terraform's
     * does after an import.
     */
    static boolean covers(JsonNode recorded, JsonNode declared) {
        if (declared != null && declared.isObject()) {
            if (recorded == null || !recorded.isObject()) {
                return false;
            }
            for (java.util.Map.Entry<String, JsonNode> e : declared.properties()) {
                if (!covers(recorded.get(e.getKey()), e.getValue())) {
                    return false;
                }
            }
            return true;
        }
        return sameValue(recorded, declared);
    }

    /**
     * Writes into {@code metadata} what a state entry records of the declaration beside the object: its dependencies and
     * lifecycle.preventDestroy ({@code decl} null: none), as {@link #outdated} reads them back. Apply and import both
     * record through here, so an entry either writes is up to date for the next plan.
     */
    public static void recordDeclaration(java.util.Map<String, String> metadata, List<ResourceAddress> dependsOn,
                                         ResourceDecl decl) {
        metadata.put(Planner.DEPENDS_ON_KEY, dependsOnKey(dependsOn));
        metadata.remove(Planner.PREVENT_DESTROY_KEY);
        if (decl != null && decl.lifecycle().preventDestroy()) {
            metadata.put(Planner.PREVENT_DESTROY_KEY, "true");
        }
    }

    /** The dependencies as the state records them: addresses sorted, comma-separated. */
    public static String dependsOnKey(List<ResourceAddress> dependsOn) {
        return dependsOn.stream().map(ResourceAddress::toString).sorted().collect(Collectors.joining(","));
    }

    private static boolean finite(JsonNode n) {
        return !(n.isDouble() || n.isFloat()) || Double.isFinite(n.doubleValue());
    }
}

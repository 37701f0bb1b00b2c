package io.meshform.engine.spi;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.Stack;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * What a {@link PlanCheck} sees: the stack, the value each resource will have after apply ({@code after}; absent for
 * resources being destroyed), the recorded value of each resource the run removes ({@code removed}; also a resource whose
 * replacement is a different object, {@code PlannedChange.CREATE_FIRST}, so its address is in both), and what the run
 * is for ({@code purpose}): a check that compares "the cluster after the plan" with the live cluster needs to know
 * whether there is a plan at all.
 *
 * <p>{@code run} is the {@link StackContext} the same run hands its resource types, so a check and a type that read
 * the same thing from the cluster read it once ({@link StackContext#memo}: the injector webhooks a labels resource's
 * plan reads are those the checks judge); null when the checks run alone (tests, a tool), and then they read their own.
 */
public record CheckContext(Stack stack, Map<ResourceAddress, JsonNode> after, Map<ResourceAddress, JsonNode> removed,
                           Purpose purpose, StackContext run) {

    /** Why the checks run. */
    public enum Purpose {
        /** {@code plan} (and apply's plan): {@code after} is what the cluster will hold once the plan is applied. */
        PLAN,
        /** {@code drift}: {@code after} is what was applied; the live cluster is what is judged, as it is. */
        DRIFT,
        /** {@code validate}: no cluster is contacted; only checks that need none run. */
        VALIDATE
    }

    /**
     * Copies in address order ({@link SortedCopies}). Checks iterate these maps, and what they report, and the files
     * they give istioctl (whose answers are remembered by content), must be the same in every run of the same plan:
     * with {@code Map.copyOf} two identical plans gave {@code istioctl validate} its objects in different orders, so
     * its remembered answer was rarely found.
     */
    public CheckContext {
        after = SortedCopies.of(after);
        removed = SortedCopies.of(removed);
    }

    /** Without the run's {@link StackContext}: the checks share no read with the resource types. */
    public CheckContext(Stack stack, Map<ResourceAddress, JsonNode> after, Map<ResourceAddress, JsonNode> removed,
                        Purpose purpose) {
        this(stack, after, removed, purpose, null);
    }

    /** A plan's checks, with nothing removed. */
    public CheckContext(Stack stack, Map<ResourceAddress, JsonNode> after) {
        this(stack, after, Map.of(), Purpose.PLAN);
    }

    public List<ResourceDecl> declared(String type) {
        return stack.ofType(type).stream().filter(r -> after.containsKey(r.address())).toList();
    }
}

package io.meshform.engine.spi;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.state.ResourceState;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The three values a change is computed from: desired (the file; null when the resource is no longer
 * declared), recorded (the state; null when never applied) and live (the cluster; null when absent, with what the
 * type's {@code read} passed along in {@link LiveObject#data()}), plus the stack the run serves.
 *
 * <p>{@code rotated} is set by drift alone: the JSON pointers of sensitive values whose applied value meshform does
 * not know (desired holds its digest) and the stack's value there, which is not the one applied (a rotated secret
 * not applied yet), or a {@link tools.jackson.databind.node.MissingNode} where the stack no longer gives a value
 * (the variable or the field removed, or the resource no longer declared). A type that compares digests needs nothing of it; a type that renders its spec (an Istio
 * install) cannot render a digest, and uses the stack's value to find which parts of its render the value reaches:
 * those it cannot check, and says so ({@link PlanDetail.Kind#UNCHECKED}).
 *
 * <p>{@code lineage} is the lineage of the state the plan is made against, so a type that plans to delete objects it
 * recorded (an install's addons) can tell which carry this state's mark for {@code address} ({@link Ownership}); null
 * when there is no state (tools that drive one type by hand).
 */
public record PlanRequest(ResourceAddress address, JsonNode desired, ResourceState recorded, LiveObject live,
                          StackContext context, Map<String, JsonNode> rotated, String lineage) {

    public PlanRequest {
        rotated = rotated == null ? Map.of() : Map.copyOf(rotated);
    }

    /** Without the state's lineage. */
    public PlanRequest(ResourceAddress address, JsonNode desired, ResourceState recorded, LiveObject live,
                       StackContext context, Map<String, JsonNode> rotated) {
        this(address, desired, recorded, live, context, rotated, null);
    }

    /** A request without rotated values: every plan, and drift of a resource whose values are all known. */
    public PlanRequest(ResourceAddress address, JsonNode desired, ResourceState recorded, LiveObject live,
                       StackContext context) {
        this(address, desired, recorded, live, context, Map.of());
    }

    /** Without a stack: for tests and tools that drive one type by hand. */
    public PlanRequest(ResourceAddress address, JsonNode desired, ResourceState recorded, LiveObject live) {
        this(address, desired, recorded, live, StackContext.detached());
    }
}

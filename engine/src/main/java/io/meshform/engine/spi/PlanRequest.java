package io.meshform.engine.spi;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.state.ResourceState;
import tools.jackson.databind.JsonNode;

/**
 * The three values a change is computed from: desired (the file; null when the resource is no longer
 * declared), recorded (the state; null when never applied) and live (the cluster; null when absent, with what the
 * type's {@code read} passed along in {@link LiveObject#data()}), plus the stack the run serves.
 */
public record PlanRequest(ResourceAddress address, JsonNode desired, ResourceState recorded, LiveObject live,
                          StackContext context) {

    /** Without a stack: for tests and tools that drive one type by hand. */
    public PlanRequest(ResourceAddress address, JsonNode desired, ResourceState recorded, LiveObject live) {
        this(address, desired, recorded, live, StackContext.detached());
    }
}

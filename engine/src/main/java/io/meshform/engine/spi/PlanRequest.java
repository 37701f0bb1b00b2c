package io.meshform.engine.spi;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.state.ResourceState;
import tools.jackson.databind.JsonNode;

/**
 * The three values a change is computed from: desired (the file; null when the resource is no longer
 * declared), recorded (the state; null when never applied) and live (the cluster; null when absent).
 */
public record PlanRequest(ResourceAddress address, JsonNode desired, ResourceState recorded, LiveObject live) {
}

package io.meshform.engine.spi;

import tools.jackson.databind.JsonNode;

/**
 * What the cluster holds for one resource, projected into the shape of the resource's spec so it can be
 * compared with the desired and the recorded values. {@code version} changes whenever the object changes
 * (a resourceVersion, or a digest); saved plans use it to notice that the live object moved.
 */
public record LiveObject(JsonNode value, String version) {
}

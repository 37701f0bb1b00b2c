package io.meshform.engine.spi;

import io.meshform.engine.model.ResourceAddress;
import tools.jackson.databind.JsonNode;

/**
 * What a provider needs to find one resource in the cluster: the desired spec when the file declares it,
 * otherwise the recorded attributes from state (for resources about to be deleted or checked for drift).
 */
public record ResourceRef(ResourceAddress address, JsonNode spec) {
}

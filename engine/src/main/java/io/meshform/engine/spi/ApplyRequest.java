package io.meshform.engine.spi;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.state.ResourceState;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Carry out one planned create, update or replace. {@code recorded} is null for a create. */
public record ApplyRequest(ResourceAddress address, JsonNode desired, ResourceState recorded,
                           Map<String, String> privateData, ProgressSink progress) {
}

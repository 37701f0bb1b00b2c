package io.meshform.engine.spi;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.state.ResourceState;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Carry out one planned create, update or replace. {@code recorded} is null for a create. */
public record ApplyRequest(ResourceAddress address, JsonNode desired, ResourceState recorded,
                           Map<String, String> privateData, ProgressSink progress, StackContext context) {

    /** Without a stack: for tests and tools that drive one type by hand. */
    public ApplyRequest(ResourceAddress address, JsonNode desired, ResourceState recorded, Map<String, String> privateData,
                        ProgressSink progress) {
        this(address, desired, recorded, privateData, progress, StackContext.detached());
    }
}

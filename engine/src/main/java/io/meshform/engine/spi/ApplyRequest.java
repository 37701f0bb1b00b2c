package io.meshform.engine.spi;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.state.ResourceState;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Carry out one planned create, update or replace. {@code recorded} is null for a create. {@code lineage} is the
 * lineage of the state the result is recorded in: the type marks what it applies with it and the address (see
 * {@link Ownership}); null when there is no state (tools that drive one type by hand).
 */
public record ApplyRequest(ResourceAddress address, JsonNode desired, ResourceState recorded,
                           Map<String, String> privateData, ProgressSink progress, StackContext context, String lineage) {

    public ApplyRequest(ResourceAddress address, JsonNode desired, ResourceState recorded, Map<String, String> privateData,
                        ProgressSink progress, StackContext context) {
        this(address, desired, recorded, privateData, progress, context, null);
    }

    /** Without a stack: for tests and tools that drive one type by hand. */
    public ApplyRequest(ResourceAddress address, JsonNode desired, ResourceState recorded, Map<String, String> privateData,
                        ProgressSink progress) {
        this(address, desired, recorded, privateData, progress, StackContext.detached(), null);
    }

    /** The annotations that mark an object as this resource's, in this state; empty without a lineage. */
    public Map<String, String> mark() {
        return lineage == null ? Map.of()
                : Map.of(Ownership.LINEAGE_ANNOTATION, lineage, Ownership.ADDRESS_ANNOTATION, address.toString());
    }
}

package io.meshform.engine.spi;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.state.ResourceState;

/**
 * Remove one resource that is recorded in state. {@code lineage} is the lineage of that state, so a type that deletes
 * more than one object (an install's addons) deletes only those carrying this state's mark for {@code address} (see
 * {@link Ownership}); null when there is no state (tools that drive one type by hand).
 */
public record DeleteRequest(ResourceAddress address, ResourceState recorded, ProgressSink progress, StackContext context,
                            String lineage) {

    public DeleteRequest(ResourceAddress address, ResourceState recorded, ProgressSink progress, StackContext context) {
        this(address, recorded, progress, context, null);
    }

    /** Without a stack: for tests and tools that drive one type by hand. */
    public DeleteRequest(ResourceAddress address, ResourceState recorded, ProgressSink progress) {
        this(address, recorded, progress, StackContext.detached());
    }
}

package io.meshform.engine.spi;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.state.ResourceState;

/** Remove one resource that is recorded in state. */
public record DeleteRequest(ResourceAddress address, ResourceState recorded, ProgressSink progress, StackContext context) {

    /** Without a stack: for tests and tools that drive one type by hand. */
    public DeleteRequest(ResourceAddress address, ResourceState recorded, ProgressSink progress) {
        this(address, recorded, progress, StackContext.detached());
    }
}

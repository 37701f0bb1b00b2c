package io.meshform.engine.spi;

import java.util.List;

/** Read the live objects of many resources of one type at once (see {@link ResourceType#read}). */
public record ReadRequest(StackContext context, List<ResourceRef> resources) {

    public ReadRequest {
        resources = List.copyOf(resources);
    }

    /** Without a stack: for tests and tools that drive one type by hand. */
    public ReadRequest(List<ResourceRef> resources) {
        this(StackContext.detached(), resources);
    }
}

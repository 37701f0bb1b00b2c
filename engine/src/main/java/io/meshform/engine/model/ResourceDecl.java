package io.meshform.engine.model;

import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/** A resource as the desired-state file declares it, with variables already substituted. */
public record ResourceDecl(ResourceAddress address, List<ResourceAddress> dependsOn, ObjectNode spec,
                           SourceLocator source, Lifecycle lifecycle) {

    public ResourceDecl {
        dependsOn = List.copyOf(dependsOn);
        lifecycle = lifecycle == null ? Lifecycle.DEFAULT : lifecycle;
    }

    public ResourceDecl(ResourceAddress address, List<ResourceAddress> dependsOn, ObjectNode spec, SourceLocator source) {
        this(address, dependsOn, spec, source, Lifecycle.DEFAULT);
    }

    public String type() {
        return address.type();
    }
}

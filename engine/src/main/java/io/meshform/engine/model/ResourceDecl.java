package io.meshform.engine.model;

import java.util.List;
import java.util.Set;
import tools.jackson.databind.node.ObjectNode;

/**
 * A resource as the desired-state file declares it, with variables already substituted. {@code sensitivePaths} are
 * the JSON pointers into {@code spec} whose values came from a {@code sensitive} variable: masked like the paths
 * its type marks sensitive.
 */
public record ResourceDecl(ResourceAddress address, List<ResourceAddress> dependsOn, ObjectNode spec,
                           SourceLocator source, Lifecycle lifecycle, Set<String> sensitivePaths) {

    public ResourceDecl {
        dependsOn = List.copyOf(dependsOn);
        lifecycle = lifecycle == null ? Lifecycle.DEFAULT : lifecycle;
        sensitivePaths = sensitivePaths == null ? Set.of() : Set.copyOf(sensitivePaths);
    }

    public ResourceDecl(ResourceAddress address, List<ResourceAddress> dependsOn, ObjectNode spec, SourceLocator source,
                        Lifecycle lifecycle) {
        this(address, dependsOn, spec, source, lifecycle, Set.of());
    }

    public ResourceDecl(ResourceAddress address, List<ResourceAddress> dependsOn, ObjectNode spec, SourceLocator source) {
        this(address, dependsOn, spec, source, Lifecycle.DEFAULT);
    }

    public String type() {
        return address.type();
    }
}

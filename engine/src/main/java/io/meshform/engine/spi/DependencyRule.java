package io.meshform.engine.spi;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.Stack;
import java.util.Set;

/**
 * An edge one provider knows about resources of another: "injection labels on a namespace come after the Istio
 * install", which the Kubernetes types cannot say without naming Istio. The engine asks every provider's rules about
 * every declared resource, beside the resource type's own {@link ResourceType#implicitDependencies}; addresses the
 * stack does not declare are ignored.
 */
@FunctionalInterface
public interface DependencyRule {

    /** What {@code resource} must come after, by this rule; empty when the rule does not concern it. */
    Set<ResourceAddress> dependencies(ResourceDecl resource, Stack stack);
}

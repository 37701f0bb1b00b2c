package io.meshform.engine.spi;

import java.util.List;

/** A set of resource types that share a connection (the Kubernetes provider, the Istio provider). */
public interface Provider extends AutoCloseable {

    String name();

    List<ResourceType> resourceTypes();

    /** Cross-resource checks that run on every plan and drift report (the mesh safety checks). */
    default List<PlanCheck> checks() {
        return List.of();
    }

    /**
     * Contacts the cluster once and throws when it does not answer: "No drift" and "No changes" must mean the
     * cluster answered, also when there was nothing to read (an empty state, an empty stack).
     */
    default void ping() {
    }

    /** Edges this provider adds between resources of any provider (see {@link DependencyRule}). */
    default List<DependencyRule> dependencyRules() {
        return List.of();
    }

    /** Counters for `--log-level debug`, e.g. {@code api_requests}: how many requests the provider sent. */
    default java.util.Map<String, Long> counters() {
        return java.util.Map.of();
    }

    /** What the provider did, one line each, for {@code --log-level debug} (the API requests it sent, say). */
    default List<String> debugLines() {
        return List.of();
    }

    @Override
    default void close() {
    }
}

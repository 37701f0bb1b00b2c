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

    /**
     * A hint, given before the stack is loaded, that this command will talk to the cluster: the provider may set up
     * its connection now on a thread of its own (nothing sent), so that it is ready when the first read needs it.
     * A failure waits for that first use, which reports it as it would have. The default does nothing.
     */
    default void prepare() {
    }

    /**
     * Makes sure the connection can be used, before the run takes the state lock: reads the settings (the kubeconfig)
     * and checks that the cluster can be reached, sending nothing. Throws what the first read would have thrown, so a
     * run that cannot talk to its cluster fails before it has locked (and so created) anything. The default does
     * nothing.
     */
    default void connect() {
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

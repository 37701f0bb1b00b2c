package io.meshform.engine.drift;

/** How a resource moved away from what meshform applied. */
public enum DriftKind {
    /** The live object differs from what was applied. */
    CHANGED,
    /** The object was deleted outside meshform. */
    DELETED,
    /**
     * A safety check found what the stack declares weaker in the cluster: an object meshform does not manage lets
     * through what the stack denies, a workload is left out of mTLS, the gateway lets a path by its auth proxy.
     */
    WEAKENED,
    /**
     * A safety check found the mesh not working as the stack declares, without anything let through: istiod without
     * replicas, connections that STRICT mTLS breaks, a proxy too old for its control plane, what {@code istioctl
     * analyze} reports.
     */
    DEGRADED,
    /**
     * A safety check could not judge the cluster ({@code istioctl analyze} did not run): not a change in the cluster,
     * but a report that says nothing else must not read as clean, so it is a finding.
     */
    UNCHECKED,
    /**
     * The state records an old object of a move, whose delete did not go through, and it is still in the cluster: not
     * changed behind meshform's back, but the cluster is not what the state says it should be until an apply deletes it.
     */
    DEPOSED
}

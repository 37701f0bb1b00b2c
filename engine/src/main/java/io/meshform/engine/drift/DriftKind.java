package io.meshform.engine.drift;

/** How a resource moved away from what meshform applied. */
public enum DriftKind {
    /** The live object differs from what was applied. */
    CHANGED,
    /** The object was deleted outside meshform. */
    DELETED,
    /** An object meshform does not manage weakens what the stack declares (a safety check fired). */
    WEAKENED,
    /**
     * The state records an old object of a move, whose delete did not go through, and it is still in the cluster: not
     * changed behind meshform's back, but the cluster is not what the state says it should be until an apply deletes it.
     */
    DEPOSED
}

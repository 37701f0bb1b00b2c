package io.meshform.engine.drift;

/** How a resource moved away from what meshform applied. */
public enum DriftKind {
    /** The live object differs from what was applied. */
    CHANGED,
    /** The object was deleted outside meshform. */
    DELETED,
    /** An object meshform does not manage weakens what the stack declares (a safety check fired). */
    WEAKENED
}

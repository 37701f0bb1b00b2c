package io.meshform.engine.apply;

import io.meshform.engine.plan.ResourceChange;

/**
 * A replacement that failed after one of its two halves reached the cluster: the old object deleted and the new one
 * refused (delete first), or the new object created and the old one's delete refused (create first). Reported as a
 * plain failure, its run said "0 added, 0 destroyed" while the cluster and the state had lost or gained an object.
 */
public final class HalfReplacedException extends RuntimeException {
    /** Which half of the replacement happened. */
    public enum Half {
        /** The old object was deleted and its record dropped; the new one was not created. */
        DESTROYED,
        /** The new object was created and recorded; the old one is still in the cluster. */
        ADDED
    }

    private final transient ResourceChange change;
    private final Half half;

    public HalfReplacedException(ResourceChange change, Half half, RuntimeException cause) {
        super(cause.getMessage(), cause);
        this.change = change;
        this.half = half;
    }

    public Half half() {
        return half;
    }

    public ResourceChange change() {
        return change;
    }

    /** The failure of the half that did not happen, as the provider raised it. */
    public RuntimeException failure() {
        return (RuntimeException) getCause();
    }

    /** What the run left, in words, for the report's line of this step. */
    public String whatHappened() {
        return half == Half.DESTROYED
                ? "the old object was deleted and the state no longer records it; the new one was not created (the next"
                        + " plan creates it)"
                : "the new object was created and recorded; the old one is still in the cluster";
    }
}

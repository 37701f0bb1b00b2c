package io.meshform.engine.model;

/**
 * A resource's lifecycle settings. {@code preventDestroy}: no plan may destroy or replace it, so an Istio install
 * or the mesh-wide mTLS policy of a production cluster cannot go by accident (a typo in --target, a resource
 * dropped from the file, a destroy run against the wrong context). {@code adopt} (written {@code adopt: true} on
 * the resource): an object that already exists in the cluster and is not in state may be taken over; without it
 * plan reports such an object and apply refuses it, as Terraform asks for an import.
 */
public record Lifecycle(boolean preventDestroy, boolean adopt) {
    public static final Lifecycle DEFAULT = new Lifecycle(false, false);

    public Lifecycle(boolean preventDestroy) {
        this(preventDestroy, false);
    }
}

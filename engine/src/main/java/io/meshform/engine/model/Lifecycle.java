package io.meshform.engine.model;

/**
 * A resource's {@code lifecycle} settings. {@code preventDestroy}: no plan may destroy or replace it, so an Istio
 * install or the mesh-wide mTLS policy of a production cluster cannot go by accident (a typo in --target, a
 * resource dropped from the file, a destroy run against the wrong context).
 */
public record Lifecycle(boolean preventDestroy) {
    public static final Lifecycle DEFAULT = new Lifecycle(false);
}

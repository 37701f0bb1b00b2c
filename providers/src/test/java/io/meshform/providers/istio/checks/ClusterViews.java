package io.meshform.providers.istio.checks;

import io.meshform.engine.spi.CheckContext;

/** Test helpers for building a {@link PlannedMesh}. */
final class ClusterViews {
    private ClusterViews() {
    }

    /** The mesh of a context with no cluster behind it (what validate sees). */
    static PlannedMesh none(CheckContext ctx) {
        return new PlannedMesh(ctx, ClusterView.EMPTY);
    }
}

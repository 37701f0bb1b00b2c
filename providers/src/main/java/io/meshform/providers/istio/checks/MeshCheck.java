package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.PlanCheck;
import java.util.List;
import java.util.function.Function;

/**
 * A check that judges the planned mesh ({@link PlannedMesh}: the stack's Istio objects over the live ones). Each
 * subclass is one check in its own file: its name, whether it needs the live cluster, and its findings, a static
 * function of the planned mesh so tests call it without a cluster. The plumbing between them lives here once.
 */
abstract class MeshCheck implements PlanCheck, ReadsInstall {
    /** For {@link #MeshCheck}: the check reads only the stack, so {@code validate} runs it too. */
    static final boolean STACK_ONLY = false;
    /** For {@link #MeshCheck}: the check needs the live cluster, so only {@code plan} and {@code drift} run it. */
    static final boolean NEEDS_CLUSTER = true;

    private final String name;
    private final boolean needsCluster;
    private final Function<CheckContext, PlannedMesh> mesh;
    private final Function<PlannedMesh, List<Diagnostic>> findings;

    MeshCheck(String name, boolean needsCluster, Function<CheckContext, PlannedMesh> mesh,
              Function<PlannedMesh, List<Diagnostic>> findings) {
        this.name = name;
        this.needsCluster = needsCluster;
        this.mesh = mesh;
        this.findings = findings;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final boolean needsCluster() {
        return needsCluster;
    }

    @Override
    public final List<Diagnostic> check(CheckContext ctx) {
        return findings.apply(mesh.apply(ctx));
    }
}

package io.meshform.engine.spi;

import io.meshform.engine.diag.Diagnostic;
import java.util.List;

/**
 * A safety check across the whole plan: things the cluster would accept silently but that break the mesh
 * (a STRICT policy over workloads that cannot speak mTLS, say). Warnings by default; {@code --strict}
 * makes them errors.
 */
public interface PlanCheck {

    String name();

    /**
     * False for checks that read nothing from the cluster (only the stack, or a tool that works offline): {@code
     * validate} runs those too, so a stack that passes validate fails plan only for reasons that need the cluster.
     */
    default boolean needsCluster() {
        return true;
    }

    /**
     * True for checks only {@code validate} runs, because plan makes the same check in its own course (istioctl's
     * render of an install, which the install's plan runs anyway).
     */
    default boolean validateOnly() {
        return false;
    }

    List<Diagnostic> check(CheckContext context);
}

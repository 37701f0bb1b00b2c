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

    List<Diagnostic> check(CheckContext context);
}

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

    List<Diagnostic> check(CheckContext context);
}

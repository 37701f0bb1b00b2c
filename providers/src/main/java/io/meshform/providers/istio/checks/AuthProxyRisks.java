package io.meshform.providers.istio.checks;

import static io.meshform.providers.istio.checks.CheckSupport.after;
import static io.meshform.providers.istio.checks.CheckSupport.range;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.PlanCheck;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.istio.install.ExtAuthzProviders;
import java.util.ArrayList;
import java.util.List;

/** (g) An auth proxy that would break the OIDC redirect or open the ingress while it is down. */
public final class AuthProxyRisks implements PlanCheck {
    @Override
    public String name() {
        return "auth-proxy-redirect";
    }

    /** Reads only the stack: validate runs it too. */
    @Override
    public boolean needsCluster() {
        return false;
    }

    @Override
    public List<Diagnostic> check(CheckContext ctx) {
        return findings(ctx);
    }

    public static List<Diagnostic> findings(CheckContext ctx) {
        List<Diagnostic> out = new ArrayList<>();
        for (ResourceDecl d : ctx.declared(Mesh.INSTALL_TYPE)) {
            for (ExtAuthzProviders.Risk r : ExtAuthzProviders.risks(after(ctx, d))) {
                out.add(Diagnostic.warning(d.address() + ": " + r.summary(), r.detail(), range(d, "/spec" + r.pointer())));
            }
        }
        return out;
    }
}

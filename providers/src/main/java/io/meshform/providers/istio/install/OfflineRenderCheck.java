package io.meshform.providers.istio.install;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.PlanCheck;
import io.meshform.engine.spi.StackContext;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * validate: what istioctl can say without a cluster (its version, {@code manifest generate} of each install's spec),
 * so a stack that passes validate fails plan only for reasons that need the cluster. Plan renders in the install's own
 * plan, so this check runs in validate only. It runs only an istioctl the command line chose or allowed; one that cannot
 * be run is a warning here (plan needs it, and says so).
 */
public final class OfflineRenderCheck implements PlanCheck {
    private final IstioInstallType install;

    public OfflineRenderCheck(IstioInstallType install) {
        this.install = install;
    }

    @Override
    public String name() {
        return "istioctl-render";
    }

    @Override
    public boolean needsCluster() {
        return false;
    }

    @Override
    public boolean validateOnly() {
        return true;
    }

    @Override
    public List<Diagnostic> check(CheckContext context) {
        List<Diagnostic> out = new ArrayList<>();
        StackContext stack = StackContext.of(context.stack());
        context.stack().ofType(IstioInstallType.NAME).forEach(d -> out.addAll(check(d, stack)));
        return out;
    }

    private List<Diagnostic> check(ResourceDecl decl, StackContext context) {
        JsonNode spec = decl.spec();
        if (!install.mayRun(spec, context.baseDirectory())) {
            return List.of();  // the type's validate already refused it
        }
        try {
            install.istioctl(context, decl.address(), spec).version();
        } catch (DiagnosticsException e) {
            return List.of(Diagnostic.warning(decl.address() + ": " + e.diagnostics().get(0).summary(),
                    io.meshform.providers.istio.core.Mesh.RENDER_NOT_RUN,
                    decl.source().range("/spec")));
        }
        try {
            install.checkVersion(context, decl.address(), spec);
            install.render(context, decl.address(), spec);
            return List.of();
        } catch (DiagnosticsException e) {
            Diagnostic d = e.diagnostics().get(0);
            // At the field istioctl or the version check named (RenderErrorPlace), else at the install's version.
            return List.of(Diagnostic.error(d.summary(), d.detail(), d.range() != null && d.range().known() ? d.range()
                    : decl.source().range("/spec/version")));
        }
    }
}

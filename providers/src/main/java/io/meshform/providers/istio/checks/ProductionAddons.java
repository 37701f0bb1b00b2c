package io.meshform.providers.istio.checks;

import static io.meshform.providers.istio.checks.CheckSupport.after;
import static io.meshform.providers.istio.checks.CheckSupport.range;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.Environment;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.PlanCheck;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.istio.install.InstallSpec;
import io.meshform.providers.kubernetes.Json;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

public final class ProductionAddons implements PlanCheck, ReadsInstall {
    @Override
    public String name() {
        return "production-addons";
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
        if (ctx.stack().environment() != Environment.PRODUCTION) {
            return out;
        }
        for (ResourceDecl d : ctx.declared(Mesh.INSTALL_TYPE)) {
            JsonNode addons = after(ctx, d).path("addons");
            for (String a : InstallSpec.ADDONS) {
                if (Json.bool(addons, a)) {
                    out.add(Diagnostic.warning(d.address() + ": addon " + a + " is enabled in a production stack",
                            "Istio components that are not required (kiali, prometheus, grafana, tracing) should be"
                                    + " disabled in production; enable them only while collecting diagnostics",
                            range(d, "/spec/addons/" + a)));
                }
            }
        }
        return out;
    }

    /** The addons, each a boolean: a digest is neither on nor off. */
    @Override
    public java.util.Set<String> installFields() {
        return java.util.Set.of("/addons/*");
    }
}

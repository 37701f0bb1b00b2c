package io.meshform.providers.istio.checks;

import static io.meshform.providers.istio.checks.CheckSupport.after;
import static io.meshform.providers.istio.checks.CheckSupport.range;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.PlanCheck;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.kubernetes.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/** (c) A CUSTOM AuthorizationPolicy whose provider the Istio install does not declare. */
public final class CustomProviderDeclared implements PlanCheck {
    @Override
    public String name() {
        return "custom-provider-declared";
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
        TreeSet<String> declared = CheckSupport.extensionProviders(ctx);
        for (ResourceDecl d : ctx.declared(Mesh.AUTHORIZATION_POLICY_TYPE)) {
            JsonNode s = after(ctx, d);
            String provider = Json.text(s.path("provider"), "name");
            if ("CUSTOM".equals(Json.text(s, "action")) && provider != null && !declared.contains(provider)) {
                out.add(Diagnostic.warning(d.address() + ": CUSTOM provider `" + provider
                                + "` is not declared in the istio.install extAuthz or meshConfig.extensionProviders",
                        declared.isEmpty() ? "the stack's istio.install declares no extension providers; add one named "
                                + provider + " to extAuthz (the Cortex auth proxy's service and port)"
                                : "declared providers: " + String.join(", ", declared), range(d, "/spec/provider/name")));
            }
        }
        return out;
    }
}

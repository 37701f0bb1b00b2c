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

/**
 * A Telemetry whose tracing names a provider the Istio install does not declare: Istio accepts it and then sends
 * no spans at all. Checked only when the stack declares the install (otherwise its meshConfig is unknown).
 */
public final class TracingProviderDeclared implements PlanCheck {
    @Override
    public String name() {
        return "tracing-provider-declared";
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
        if (ctx.declared(Mesh.INSTALL_TYPE).isEmpty()) {
            return out;
        }
        TreeSet<String> declared = CheckSupport.extensionProviders(ctx);
        for (ResourceDecl d : ctx.declared(Mesh.TELEMETRY_TYPE)) {
            JsonNode tracing = after(ctx, d).path("tracing");
            for (int i = 0; i < tracing.size(); i++) {
                JsonNode providers = tracing.get(i).path("providers");
                for (int p = 0; p < providers.size(); p++) {
                    String name = Json.text(providers.get(p), "name");
                    if (name != null && !declared.contains(name)) {
                        out.add(Diagnostic.warning(d.address() + ": tracing provider `" + name
                                        + "` is not declared in the istio.install meshConfig.extensionProviders",
                                "Istio accepts the Telemetry but sends no spans; add an extension provider named " + name
                                        + " (e.g. zipkin: {service: zipkin.istio-system.svc.cluster.local, port: 9411})"
                                        + (declared.isEmpty() ? "" : "; declared providers: " + String.join(", ", declared)),
                                range(d, "/spec/tracing/" + i + "/providers/" + p + "/name")));
                    }
                }
            }
        }
        return out;
    }
}

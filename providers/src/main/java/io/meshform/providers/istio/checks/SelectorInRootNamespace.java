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
import tools.jackson.databind.JsonNode;

/** (a) A selector on a PeerAuthentication in the root namespace: Istio ignores it for sidecars. */
public final class SelectorInRootNamespace implements PlanCheck {
    @Override
    public String name() {
        return "selector-in-root-namespace";
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
        for (ResourceDecl d : ctx.declared(Mesh.PEER_AUTHENTICATION_TYPE)) {
            JsonNode s = after(ctx, d);
            if (Mesh.ROOT_NAMESPACE.equals(Json.text(s, "namespace")) && s.has("selector") && !s.get("selector").isNull()) {
                out.add(Diagnostic.warning(d.address() + ": a PeerAuthentication with a selector in the root namespace "
                                + Mesh.ROOT_NAMESPACE + " does not apply to sidecars",
                        "Istio reads root-namespace PeerAuthentications as mesh-wide policy only without a selector;"
                                + " move it to the workloads' namespace", range(d, "/spec/selector")));
            }
        }
        return out;
    }
}

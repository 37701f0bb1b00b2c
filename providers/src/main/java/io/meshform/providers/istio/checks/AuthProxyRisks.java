package io.meshform.providers.istio.checks;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.Environment;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.PlanCheck;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.istio.install.ExtAuthzProviders;
import io.meshform.providers.istio.install.IstioInstallType;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.KubeConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

import static io.meshform.providers.istio.checks.CheckSupport.after;
import static io.meshform.providers.istio.checks.CheckSupport.range;

/** (g) An auth proxy that would break the OIDC redirect or open the ingress while it is down. */
public final class AuthProxyRisks implements PlanCheck {
    @Override
    public String name() {
        return "auth-proxy-redirect";
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

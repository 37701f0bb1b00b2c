package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.istio.install.ExtAuthzProviders;
import io.meshform.providers.istio.policy.AuthzPolicy;
import io.meshform.providers.kubernetes.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * Auth proxy settings that weaken ingress authentication ({@link ExtAuthzProviders#risks}): {@code failOpen} lets
 * requests in while the proxy is down, and no {@code timeout} means istiod's 600 s (pilot/pkg/security/authz/builder/
 * extauthz.go {@code timeoutOrDefault}). Judged for the providers the stack's istio.install declares, else for the
 * live mesh config's providers that the stack's CUSTOM policies use (a dry-run one sends nothing to the proxy: its
 * rules deny, {@link io.meshform.providers.istio.policy.GatewayAuthz}). (meshform once warned that a
 * {@code headersToDownstreamOnDeny} list without {@code location} loses the OIDC redirect; it does not: Envoy adds
 * Location, Path, Status, Content-Length and WWW-Authenticate to any such list, and passes every header but Host when
 * the list is unset, istio/api mesh/v1alpha1/config.proto and Envoy's ext_authz {@code allowed_client_headers}.)
 */
public final class AuthProxyRisks extends MeshCheck {
    AuthProxyRisks(Function<CheckContext, PlannedMesh> mesh) {
        super("auth-proxy-risks", STACK_ONLY, mesh, AuthProxyRisks::findings);
    }

    public static List<Diagnostic> findings(PlannedMesh mesh) {
        List<Diagnostic> out = new ArrayList<>();
        var install = mesh.install();
        if (install.isPresent()) {
            ResourceDecl d = install.get();
            for (Map.Entry<String, JsonNode> p : ExtAuthzProviders.declared(CheckSupport.after(mesh.context(), d))) {
                for (ExtAuthzProviders.Risk r : ExtAuthzProviders.risks(p.getValue())) {
                    String pointer = p.getKey().startsWith("/" + ExtAuthzProviders.FIELD)
                            ? p.getKey() + r.pointer().replaceFirst("^/envoyExtAuthz(Http|Grpc)", "") : p.getKey() + r.pointer();
                    out.add(Diagnostic.warning(d.address() + ": " + r.summary(), r.detail(), CheckSupport.range(d, "/spec" + pointer)));
                }
            }
            return out;
        }
        var config = mesh.meshConfig();
        Set<String> used = new TreeSet<>();
        for (PlannedObject o : mesh.planned()) {
            JsonNode spec = o.object().path("spec");
            if ("AuthorizationPolicy".equals(o.kind()) && "CUSTOM".equals(Json.text(spec, "action"))
                    && Json.text(spec.path("provider"), "name") != null && !AuthzPolicy.isDryRun(o.object())) {
                used.add(Json.text(spec.path("provider"), "name"));
            }
        }
        for (String name : used) {
            config.provider(name).ifPresent(p -> ExtAuthzProviders.risks(p).forEach(r -> out.add(Diagnostic.warning(
                    r.summary() + " (" + config.source() + ")", r.detail(), null))));
        }
        return out;
    }
}

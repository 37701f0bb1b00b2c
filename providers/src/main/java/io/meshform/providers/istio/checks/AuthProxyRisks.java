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
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * Auth proxy settings that weaken ingress authentication ({@link ExtAuthzProviders#risks}): {@code failOpen} lets
 * requests in while the proxy is down, and no {@code timeout} means istiod's 600 s (pilot/pkg/security/authz/builder/
 * extauthz.go {@code timeoutOrDefault}). Judged for the providers each of the stack's istio.installs declares (each
 * is its own revision's mesh config), and, for the stack's CUSTOM policies, in the live mesh config of each revision
 * the stack declares no install of whose istiod serves a running pod the policy attaches to ({@link ServingRevisions}:
 * the live {@code istio} or {@code istio-<revision>} ConfigMap; the default revision's when no such pod is known and the
 * stack declares no install). A dry-run policy sends nothing to the proxy: its rules deny,
 * {@link io.meshform.providers.istio.policy.GatewayAuthz}. (meshform once warned that a
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
        for (ResourceDecl d : mesh.context().declared(io.meshform.providers.istio.core.Mesh.INSTALL_TYPE)) {
            for (Map.Entry<String, JsonNode> p : ExtAuthzProviders.declared(CheckSupport.after(mesh.context(), d))) {
                JsonNode provider = p.getValue();
                // Drift reads the install from the state: a digest in place of a name is shown by where it is, and
                // failOpen or timeout held as a digest is not judged (a digest is neither true nor a timeout).
                String name = Json.text(provider, "name");
                String shown = CheckSupport.digested(provider.get("name")) ? "at " + CheckSupport.dotted(p.getKey()) : name;
                String kind = io.meshform.providers.istio.install.ExtAuthzRules.kind(provider);
                List<String> unknown = kind == null ? List.of() : java.util.stream.Stream.of("failOpen", "timeout")
                        .filter(f -> CheckSupport.digested(provider.get(kind).get(f))).toList();
                for (String f : unknown) {
                    out.add(Diagnostic.info(d.address() + ": cannot judge auth proxy " + shown + "'s " + f + ": it "
                            + CheckSupport.DIGEST_ONLY, AppliedDigests.detail(mesh.context(), d, List.of(p.getKey()
                                    + (p.getKey().startsWith("/" + ExtAuthzProviders.FIELD) ? "" : "/" + kind) + "/" + f)),
                            CheckSupport.range(d, "/spec" + p.getKey())));
                }
                for (ExtAuthzProviders.Risk r : ExtAuthzProviders.risks(withName(provider, shown, kind, unknown))) {
                    String pointer = p.getKey().startsWith("/" + ExtAuthzProviders.FIELD)
                            ? p.getKey() + r.pointer().replaceFirst("^/envoyExtAuthz(Http|Grpc)", "") : p.getKey() + r.pointer();
                    out.add(Diagnostic.warning(d.address() + ": " + r.summary(), r.detail(), CheckSupport.range(d, "/spec" + pointer)));
                }
            }
        }
        return findingsOfLive(mesh, out);
    }

    /**
     * {@code provider} as {@link ExtAuthzProviders#risks} should judge it: named {@code shown}, without the settings
     * held as digests (their risk is not judged; the caller says so), and a timeout kept as set, so that none is reported
     * missing for a timeout that was given.
     */
    private static JsonNode withName(JsonNode provider, String shown, String kind, List<String> unknown) {
        if (!CheckSupport.digested(provider.get("name")) && unknown.isEmpty()) {
            return provider;
        }
        var copy = (tools.jackson.databind.node.ObjectNode) provider.deepCopy();
        copy.put("name", shown);
        if (unknown.contains("failOpen")) {
            ((tools.jackson.databind.node.ObjectNode) copy.get(kind)).remove("failOpen");
        }
        if (unknown.contains("timeout")) {
            ((tools.jackson.databind.node.ObjectNode) copy.get(kind)).put("timeout", "(sensitive)");
        }
        return copy;
    }

    /** The providers the stack's CUSTOM policies use, in the live mesh config of each serving revision it declares no install of. */
    private static List<Diagnostic> findingsOfLive(PlannedMesh mesh, List<Diagnostic> out) {
        Set<String> said = new java.util.HashSet<>();
        for (PlannedObject o : mesh.planned()) {
            JsonNode spec = o.object().path("spec");
            String name = Json.text(spec.path("provider"), "name");
            if (!"AuthorizationPolicy".equals(o.kind()) || !"CUSTOM".equals(Json.text(spec, "action")) || name == null
                    || AuthzPolicy.isDryRun(o.object())) {
                continue;
            }
            for (ServingRevisions.Served served : ServingRevisions.of(mesh, o.object())) {
                var config = served.config();
                if (mesh.install(served.revision()).isPresent() || !said.add(config.source() + "\n" + name)) {
                    continue; // an install's providers are judged above, where the stack declares them
                }
                config.provider(name).ifPresent(p -> ExtAuthzProviders.risks(p).forEach(r -> out.add(Diagnostic.warning(
                        r.summary() + " (" + config.source() + ")", r.detail(), null))));
            }
        }
        return out;
    }

    /** None for the guard: it judges each digest it reads itself, field by field, and says which it cannot. */
    @Override
    public java.util.Set<String> installFields() {
        return java.util.Set.of();
    }
}

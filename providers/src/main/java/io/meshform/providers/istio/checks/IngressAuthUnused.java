package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.istio.install.ExtAuthzProviders;
import io.meshform.providers.istio.install.ExtAuthzRules;
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
 * An auth proxy that nothing sends requests to: the stack's istio.install declares an ext_authz provider ({@code extAuthz},
 * or an envoyExtAuthzHttp/Grpc entry of {@code meshConfig.extensionProviders}), but no CUSTOM AuthorizationPolicy of
 * the judged mesh (the stack's as the plan leaves them, and the live ones it does not remove) names it. Istio calls an
 * ext_authz provider only for requests a CUSTOM policy matches, so the gateway then lets every request in without
 * authentication: what removing the ingress-auth policy from a stack, or destroying everything but the install,
 * leaves behind. A dry-run CUSTOM policy sends nothing to the proxy, so it does not count. Plan and drift only: validate
 * does not see the live policies, and one outside the stack may use the provider. A plan with {@code --target} or
 * {@code --exclude} that leaves out the stack's CUSTOM policy (not live yet) leaves the gateway unauthenticated too,
 * but the warning names the policy and says how to plan it ({@link LeftOutOfPlan}), instead of suggesting to declare
 * what the stack declares.
 */
public final class IngressAuthUnused extends MeshCheck {
    static final String AUTHORIZATION_POLICIES = "authorizationpolicies.security.istio.io";

    IngressAuthUnused(Function<CheckContext, PlannedMesh> mesh) {
        super("ingress-auth-unused", NEEDS_CLUSTER, mesh, IngressAuthUnused::findings);
    }

    public static List<Diagnostic> findings(PlannedMesh mesh) {
        List<Diagnostic> out = new ArrayList<>();
        var install = mesh.install();
        if (install.isEmpty() || mesh.context().purpose() == CheckContext.Purpose.VALIDATE) {
            return out;
        }
        ResourceDecl d = install.get();
        List<Map.Entry<String, JsonNode>> providers = ExtAuthzProviders.declared(CheckSupport.after(mesh.context(), d)).stream()
                .filter(p -> ExtAuthzRules.kind(p.getValue()) != null && Json.text(p.getValue(), "name") != null).toList();
        if (providers.isEmpty()) {
            return out;
        }
        List<PlannedMesh.AuthorizationObject> policies = mesh.authorizationPolicies();
        if (mesh.cluster().unread().containsKey(AUTHORIZATION_POLICIES)) {
            return out; // ClusterUnread says the live policies could not be read: nothing is known about their providers
        }
        Set<String> used = new TreeSet<>();
        Set<String> dryRun = new TreeSet<>();
        for (PlannedMesh.AuthorizationObject o : policies) {
            JsonNode spec = o.object().path("spec");
            String provider = Json.text(spec.path("provider"), "name");
            if (!"CUSTOM".equals(Json.text(spec, "action")) || provider == null) {
                continue;
            }
            (AuthzPolicy.isDryRun(o.object()) ? dryRun : used).add(provider);
        }
        for (Map.Entry<String, JsonNode> p : providers) {
            String name = Json.text(p.getValue(), "name");
            if (CheckSupport.digested(p.getValue().get("name"))) {
                // Drift reads the name from the state: a digest is no policy's provider name, and "unused" would be false.
                out.add(Diagnostic.info(d.address() + ": cannot judge whether a CUSTOM policy uses the auth proxy at "
                        + CheckSupport.dotted(p.getKey()) + ": its name " + CheckSupport.DIGEST_ONLY,
                        AppliedDigests.detail(mesh.context(), d, List.of(p.getKey() + "/name")),
                        CheckSupport.range(d, "/spec" + p.getKey() + "/name")));
                continue;
            }
            if (used.contains(name)) {
                continue;
            }
            // A CUSTOM policy of the stack that would use it, left out by --target or --exclude: the gateway is
            // unauthenticated after this plan, but only because of the command line, which the warning must say.
            List<String> leftOut = LeftOutOfPlan.customPoliciesUsing(mesh.context(), name);
            if (!leftOut.isEmpty()) {
                out.add(Diagnostic.warning(d.address() + ": ingress is not authenticated after this plan: the CUSTOM policy"
                                + " that sends requests to provider " + name + " (" + String.join(", ", leftOut) + ") is left"
                                + " out of it",
                        "the install declares the auth proxy `" + name + "`, and Istio calls an ext_authz provider only for"
                                + " requests a CUSTOM rule matches; no CUSTOM policy this plan applies, or the cluster holds,"
                                + " names it, so until " + String.join(", ", leftOut) + " is applied every request reaches"
                                + " the workloads unauthenticated: " + LeftOutOfPlan.advice(leftOut),
                        CheckSupport.range(d, "/spec" + p.getKey() + "/name")));
                continue;
            }
            String dry = dryRun.contains(name) ? " A dry-run CUSTOM policy (" + AuthzPolicy.DRY_RUN + ") names it, but istiod"
                    + " sends nothing to the proxy for a dry-run policy (its rules deny what they match)." : "";
            out.add(Diagnostic.warning(d.address() + ": ingress is not authenticated: no CUSTOM policy sends requests to"
                            + " provider " + name,
                    "the install declares the auth proxy `" + name + "`, but no CUSTOM AuthorizationPolicy "
                            + (mesh.context().purpose() == CheckContext.Purpose.DRIFT ? "in the cluster" : "of the stack or the"
                            + " cluster (after this plan)") + " uses it, and Istio calls an ext_authz provider only for"
                            + " requests a CUSTOM rule matches: every request reaches the workloads unauthenticated." + dry
                            + " Declare an istio.authorizationPolicy with action: CUSTOM and provider: {name: " + name + "}, or"
                            + " remove the provider if nothing is meant to use it",
                    CheckSupport.range(d, "/spec" + p.getKey() + "/name")));
        }
        return out;
    }

    /** None for the guard: it judges each digest it reads itself, field by field, and says which it cannot. */
    @Override
    public java.util.Set<String> installFields() {
        return java.util.Set.of();
    }
}

package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.istio.policy.AuthzPolicy;
import io.meshform.providers.istio.policy.TokenRequirement;
import io.meshform.providers.istio.policy.TokenRequirement.PartlyAttached;
import io.meshform.providers.kubernetes.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * A RequestAuthentication of the stack that no AuthorizationPolicy backs: Istio then rejects an invalid token but lets
 * a request without one through, without identity ({@link TokenRequirement} says which policies make a token
 * required, and why). Warned when no policy on the workloads it selects requires a token, or when one does on only some
 * of them; a note when the policies require one except where a rule of theirs says otherwise (a {@code /healthz}
 * ALLOW rule, a DENY limited to some paths), so the exceptions are said.
 *
 * <p>The workloads are those istiod attaches the RequestAuthentication to ({@code getConfigsForWorkload},
 * pilot/pkg/model/authentication.go, with {@code ShouldAttachPolicy}, pilot/pkg/model/policyattachment.go, Istio
 * 1.30.3), the same rule as for AuthorizationPolicies: a pod in the policy's namespace, or in any namespace when it
 * is in the root namespace, whose labels include the selector (none: every pod); with {@code targetRefs}, the Gateway
 * API gateways or waypoints named, in its namespace. The check reasons on every workload the selector can pick, not
 * on running pods: an AuthorizationPolicy attaches to all of them when its namespace is the RequestAuthentication's or
 * the root namespace and its selector is contained in the RequestAuthentication's (none counts), to some of them when
 * its selector only adds labels, or it is in one namespace of a root-namespace RequestAuthentication, and to none when
 * a label disagrees. A targeted policy attaches when it names the same target in the same namespace; for a Gateway
 * target a selector policy also attaches when its selector is contained in the gateway pod's label
 * {@code gateway.networking.k8s.io/gateway-name} ({@code ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY}, default true; a
 * waypoint ignores selectors, which this check cannot tell from the Gateway alone and so counts the policy).
 *
 * <p>Validate judges the stack's AuthorizationPolicies only, and says so; a plan the live ones with the stack's over
 * them ({@link PlannedMesh#authorizationPolicies}: the LIST the other authorization checks share), so a policy outside
 * the stack that requires a token silences the warning. A RequestAuthentication without {@code jwtRules} verifies
 * nothing (istiod builds no JWT filter for it) and is left out.
 */
public final class TokenNotRequired extends MeshCheck {

    TokenNotRequired(Function<CheckContext, PlannedMesh> mesh) {
        super("request-authentication-not-required", STACK_ONLY, mesh, TokenNotRequired::findings);
    }

    public static List<Diagnostic> findings(PlannedMesh mesh) {
        List<Diagnostic> out = new ArrayList<>();
        List<PlannedObject> requestAuthns = mesh.planned().stream()
                .filter(o -> "RequestAuthentication".equals(o.kind()) && o.istio() && o.namespace() != null
                        && o.object().path("spec").path("jwtRules").size() > 0)
                .toList();
        if (requestAuthns.isEmpty()) {
            return out;
        }
        boolean validate = mesh.context().purpose() == CheckContext.Purpose.VALIDATE;
        if (!validate && mesh.cluster().unread().containsKey(IngressAuthUnused.AUTHORIZATION_POLICIES)) {
            return out; // ClusterUnread says the live policies could not be read: a warning here could be false
        }
        String root = mesh.rootNamespace();
        List<JsonNode> policies = mesh.authorizationPolicies().stream().map(PlannedMesh.AuthorizationObject::object).toList();
        for (PlannedObject o : requestAuthns) {
            out.addAll(judge(o, policies, root, validate));
        }
        return out;
    }

    private static List<Diagnostic> judge(PlannedObject o, List<JsonNode> policies, String root, boolean validate) {
        JsonNode spec = o.object().path("spec");
        List<JsonNode> targets = TargetRefs.of(spec);
        String ns = o.namespace();
        Map<String, String> selector = new TreeMap<>(Json.stringMap(spec.path("selector").path("matchLabels")));
        List<AuthzPolicy> attached = new ArrayList<>();
        List<PartlyAttached> partly = new ArrayList<>();
        String scope;
        if (!targets.isEmpty()) {
            scope = String.join(", ", targets.stream().map(t -> Json.text(t, "kind", "Gateway") + " " + ns + "/"
                    + Json.text(t, "name")).toList());
            for (JsonNode p : policies) {
                if (attachesToTargets(p, ns, targets, root)) {
                    attached.add(AuthzPolicy.of(p));
                }
            }
        } else {
            boolean meshWide = root.equals(ns);
            scope = (selector.isEmpty() ? "every workload" : "the workloads labelled " + selector)
                    + (meshWide ? " in every namespace (" + ns + " is the root namespace)" : " in namespace " + ns);
            for (JsonNode object : policies) {
                AuthzPolicy p = AuthzPolicy.of(object);
                if (p.targeted() || (!meshWide && !ns.equals(p.namespace()) && !root.equals(p.namespace()))) {
                    continue;
                }
                Map<String, String> ps = p.selector() == null ? Map.of() : p.selector();
                if (ps.entrySet().stream().anyMatch(e -> selector.containsKey(e.getKey())
                        && !selector.get(e.getKey()).equals(e.getValue()))) {
                    continue; // a label disagrees: no workload the RequestAuthentication selects
                }
                Map<String, String> extra = new TreeMap<>(ps);
                extra.keySet().removeAll(selector.keySet());
                boolean otherNamespace = meshWide && !root.equals(p.namespace());
                if (extra.isEmpty() && !otherNamespace) {
                    attached.add(p);
                } else {
                    partly.add(new PartlyAttached(p, (otherNamespace ? "namespace " + p.namespace() : "")
                            + (otherNamespace && !extra.isEmpty() ? ", " : "")
                            + (extra.isEmpty() ? "" : "the workloads also labelled " + extra)));
                }
            }
        }
        TokenRequirement t = TokenRequirement.of(attached, partly);
        if (t.verdict() == TokenRequirement.Verdict.REQUIRED) {
            return List.of();
        }
        String judged = validate ? "the stack's AuthorizationPolicies (validate does not read the cluster; plan also counts"
                + " the live ones)" : "the AuthorizationPolicies of the stack and the cluster, as this plan leaves them";
        String why = "a RequestAuthentication rejects an invalid token but lets a request without one through, without"
                + " identity (istiod gives each issuer the requirement `provider or allow_missing`: convertToEnvoyJwtConfig,"
                + " pilot/pkg/security/authn/policy_applier.go); only an authorization rule makes a token required";
        String fix = "Add an istio.authorizationPolicy in " + ns + (selector.isEmpty() ? "" : " with selector: {matchLabels: "
                + Json.MAPPER.writeValueAsString(selector) + "}") + " and rules: [{from: [{source: {requestPrincipals: [\"*\"]}}]}]"
                + " (ALLOW), or action: DENY with rules: [{from: [{source: {notRequestPrincipals: [\"*\"]}}]}], or send the"
                + " requests to an auth proxy (action: CUSTOM)";
        String address = o.decl().address().toString();
        var range = o.range("/spec/jwtRules");
        if (t.verdict() == TokenRequirement.Verdict.NOT_REQUIRED) {
            return List.of(Diagnostic.warning(address + ": requests without a token are let through: no AuthorizationPolicy"
                    + " requires one on " + scope, why + ". Judged: " + judged + ". " + fix, range));
        }
        List<String> said = new ArrayList<>(t.someWorkloads());
        said.addAll(t.gaps());
        if (!t.someWorkloads().isEmpty()) {
            return List.of(Diagnostic.warning(address + ": requests without a token are let through on some of " + scope,
                    why + "; here " + String.join("; ", said) + ", and the other workloads accept a request without a"
                            + " token. Judged: " + judged + ". " + fix + " that selects them all", range));
        }
        return List.of(Diagnostic.info(address + ": a token is required for only some requests to " + scope,
                why + "; here " + String.join("; ", said) + ". Judged: " + judged, range));
    }

    /**
     * Whether an AuthorizationPolicy attaches to the workloads the RequestAuthentication in {@code ns} targets: it names
     * one of the same targets from the same namespace, or, for a Gateway target, it has no targets and its selector is
     * contained in the gateway pod's {@code gateway-name} label, from that namespace or the root one.
     */
    private static boolean attachesToTargets(JsonNode policy, String ns, List<JsonNode> targets, String root) {
        JsonNode spec = policy.path("spec");
        String pns = Json.text(policy.path("metadata"), "namespace");
        List<JsonNode> theirs = TargetRefs.of(spec);
        for (JsonNode t : targets) {
            if (!theirs.isEmpty()) {
                if (ns.equals(pns) && theirs.stream().anyMatch(p -> sameTarget(p, t))) {
                    return true;
                }
            } else if ("Gateway".equals(Json.text(t, "kind", "Gateway")) && (ns.equals(pns) || root.equals(pns))) {
                Map<String, String> sel = Json.stringMap(spec.path("selector").path("matchLabels"));
                Map<String, String> podLabels = Map.of(TargetRefs.GATEWAY_NAME, String.valueOf(Json.text(t, "name")));
                if (podLabels.entrySet().containsAll(sel.entrySet())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean sameTarget(JsonNode a, JsonNode b) {
        return Objects.equals(Json.text(a, "kind"), Json.text(b, "kind")) && Objects.equals(Json.text(a, "name"), Json.text(b, "name"))
                && Objects.equals(Json.text(a, "group", ""), Json.text(b, "group", ""));
    }

    /** None: in drift the mesh config (root namespace) it reads is the live one, not the applied install. */
    @Override
    public java.util.Set<String> installFields() {
        return java.util.Set.of();
    }
}

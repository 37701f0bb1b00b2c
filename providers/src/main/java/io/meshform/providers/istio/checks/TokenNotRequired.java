package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.istio.policy.AuthzPolicy;
import io.meshform.providers.istio.policy.ConfigRevision;
import io.meshform.providers.istio.policy.TokenRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A RequestAuthentication of the stack that no AuthorizationPolicy backs: Istio then rejects an invalid token but lets
 * a request without one through, without identity ({@link TokenRequirement} says which policies make a token
 * required, and why). Warned when no policy on the workloads it selects requires a token, or when one does on only some
 * of them; a note when the policies require one except where a rule of theirs says otherwise (a {@code /healthz}
 * ALLOW rule, a DENY limited to some paths), so the exceptions are said.
 *
 * <p>The workloads are those istiod attaches the RequestAuthentication to, and the policies those istiod attaches to
 * them, both by {@link io.meshform.providers.istio.policy.PolicyAttachment}, istiod's one rule ({@link TokenScopes}:
 * {@code getConfigsForWorkload}, pilot/pkg/model/authentication.go; {@code ListAuthorizationPolicies},
 * pilot/pkg/model/authorization.go; {@code ShouldAttachPolicy}, pilot/pkg/model/policyattachment.go, Istio 1.30.3). The
 * check reasons on every workload the selector can pick, not on running pods, so a policy attaches to all of them, to
 * some (named: narrower labels, one namespace of a root-namespace RequestAuthentication, the pods of a Gateway a policy
 * targets), or to none. With {@code targetRefs}, each target is judged on its own: a Gateway's pods, as a Gateway API
 * gateway's or a waypoint's when the stack's Gateway or the running pods tell which, else both; a Service, ServiceEntry
 * or GatewayClass target reaches only a waypoint, judged with and without the policies on waypoints' own Gateways (which
 * waypoint serves it is not modelled). When the cases disagree, a note says what each gives instead of a warning.
 *
 * <p>Validate judges the stack's AuthorizationPolicies only, and says so; a plan the live ones with the stack's over
 * them ({@link PlannedMesh#authorizationPolicies}: the LIST the other authorization checks share), so a policy outside
 * the stack that requires a token silences the warning. Only the stack's RequestAuthentications are judged: meshform
 * reads no live ones, so one outside the stack gets no finding. A RequestAuthentication without {@code jwtRules}
 * verifies nothing (istiod builds no JWT filter for it) and is left out.
 */
public final class TokenNotRequired extends MeshCheck {

    TokenNotRequired(Function<CheckContext, PlannedMesh> mesh) {
        super("request-authentication-not-required", STACK_ONLY, mesh, TokenNotRequired::findings);
    }

    public static List<Diagnostic> findings(PlannedMesh mesh) {
        List<Diagnostic> out = new ArrayList<>();
        List<PlannedObject> requestAuthns = mesh.planned().stream()
                .filter(o -> "RequestAuthentication".equals(o.kind()) && o.istio() && o.namespace() != null
                        && o.object().path("spec").path("jwtRules").size() > 0
                        && mesh.readByIstiod(o.object()))  // one no istiod reads: config-revision-ignored says so
                .toList();
        if (requestAuthns.isEmpty()) {
            return out;
        }
        boolean validate = mesh.context().purpose() == CheckContext.Purpose.VALIDATE;
        if (!validate && mesh.cluster().unread().containsKey(IngressAuthUnused.AUTHORIZATION_POLICIES)) {
            return out; // ClusterUnread says the live policies could not be read: a warning here could be false
        }
        String root = mesh.rootNamespace();
        List<AuthzPolicy> policies = mesh.authorizationPolicies().stream().map(a -> AuthzPolicy.of(a.object())).toList();
        for (PlannedObject o : requestAuthns) {
            out.addAll(perRevision(o, policies, root, validate, mesh));
        }
        return out;
    }

    /**
     * {@link #judge} with the AuthorizationPolicies each istiod reads ({@link ConfigRevision#readBy}): a
     * RequestAuthentication labelled for one revision acts only on its proxies, under the policies its istiod reads; an
     * unlabelled one acts on every revision's, so where a judged policy is labelled, each served revision is judged
     * with its own, and verdicts that differ say whose proxies they are about.
     */
    private static List<Diagnostic> perRevision(PlannedObject o, List<AuthzPolicy> policies, String root, boolean validate,
                                                PlannedMesh mesh) {
        String own = ConfigRevision.of(o.object());
        java.util.Set<String> revisions = new java.util.TreeSet<>();
        if (own != null) {
            revisions.add(own);
        } else if (policies.stream().anyMatch(p -> p.revision() != null)) {
            revisions.addAll(ConfigRevision.judged(mesh.servedRevisions(), policies.stream().map(AuthzPolicy::revision)));
        }
        if (revisions.isEmpty()) {
            return judge(o, policies, root, validate, mesh);
        }
        Map<String, List<Diagnostic>> byRevision = new java.util.LinkedHashMap<>();
        revisions.forEach(r -> byRevision.put(r, judge(o, policies.stream().filter(p -> ConfigRevision.readBy(p.revision(), r))
                .toList(), root, validate, mesh)));
        if (own != null || new java.util.HashSet<>(byRevision.values()).size() == 1) {
            return byRevision.values().iterator().next();
        }
        List<Diagnostic> out = new ArrayList<>();
        byRevision.forEach((r, ds) -> ds.forEach(d -> out.add(new Diagnostic(d.severity(), d.summary() + (r.isEmpty()
                ? " (for the proxies of a revision no AuthorizationPolicy is labelled for)" : " (for the proxies of revision " + r + ")"),
                d.detail(), d.range()))));
        return out;
    }

    private static List<Diagnostic> judge(PlannedObject o, List<AuthzPolicy> policies, String root, boolean validate,
                                          PlannedMesh mesh) {
        String judged = validate ? "the stack's AuthorizationPolicies (validate does not read the cluster; plan also counts"
                + " the live ones)" : "the AuthorizationPolicies of the stack and the cluster, as this plan leaves them";
        String why = "a RequestAuthentication rejects an invalid token but lets a request without one through, without"
                + " identity (istiod gives each issuer the requirement `provider or allow_missing`: convertToEnvoyJwtConfig,"
                + " pilot/pkg/security/authn/policy_applier.go); only an authorization rule makes a token required";
        String address = o.decl().address().toString();
        var range = o.range("/spec/jwtRules");
        List<Diagnostic> out = new ArrayList<>();
        for (TokenScopes.Scope scope : TokenScopes.of(o, policies, root, mesh)) {
            // a policy that asks for labels the Gateway's pods exactly lack takes none of them: say so, not "some of"
            String judgedHere = judged + scope.labelled() + scope.cases().stream().flatMap(c -> c.attachedToNone().stream())
                    .distinct().map(n -> "; " + n).collect(java.util.stream.Collectors.joining());
            String fix = "Add an istio.authorizationPolicy in " + o.namespace() + scope.fix() + " and rules: [{from: [{source:"
                    + " {requestPrincipals: [\"*\"]}}]}] (ALLOW), or action: DENY with rules: [{from: [{source:"
                    + " {notRequestPrincipals: [\"*\"]}}]}], or send the requests to an auth proxy (action: CUSTOM)";
            List<TokenRequirement> verdicts = scope.cases().stream().map(c -> TokenRequirement.of(c.attached(), c.partly())).toList();
            if (verdicts.stream().allMatch(t -> t.verdict() == TokenRequirement.Verdict.REQUIRED)) {
                continue;
            }
            if (verdicts.stream().map(TokenRequirement::verdict).distinct().count() > 1) {
                List<String> each = new ArrayList<>();
                for (int i = 0; i < verdicts.size(); i++) {
                    each.add(scope.cases().get(i).condition() + ": " + words(verdicts.get(i)));
                }
                out.add(Diagnostic.info(address + ": whether requests without a token are let through on " + scope.described()
                        + " depends on what the check cannot tell", why + "; " + String.join("; ", each) + ". Judged: "
                        + judgedHere + ". " + fix, range));
                continue;
            }
            out.add(diagnostic(address, scope, verdicts.get(0), why, judgedHere, fix, range));
        }
        return out;
    }

    private static Diagnostic diagnostic(String address, TokenScopes.Scope scope, TokenRequirement t, String why, String judged,
                                         String fix, io.meshform.engine.diag.SourceRange range) {
        if (t.verdict() == TokenRequirement.Verdict.NOT_REQUIRED) {
            return Diagnostic.warning(address + ": requests without a token are let through: no AuthorizationPolicy"
                    + " requires one on " + scope.described(), why + ". Judged: " + judged + ". " + fix, range);
        }
        List<String> said = new ArrayList<>(t.someWorkloads());
        said.addAll(t.gaps());
        if (!t.someWorkloads().isEmpty()) {
            return Diagnostic.warning(address + ": requests without a token are let through on some of " + scope.described(),
                    why + "; here " + String.join("; ", said) + ", and the other workloads accept a request without a"
                            + " token. Judged: " + judged + ". " + fix + " that selects them all", range);
        }
        return Diagnostic.info(address + ": a token is required for only some requests to " + scope.described(),
                why + "; here " + String.join("; ", said) + ". Judged: " + judged, range);
    }

    /** One case's verdict in words, for the note that sets the cases side by side. */
    private static String words(TokenRequirement t) {
        List<String> said = new ArrayList<>(t.someWorkloads());
        said.addAll(t.gaps());
        return switch (t.verdict()) {
            case REQUIRED -> "a token is required (" + String.join("; ", t.coveredBy()) + ")";
            case NOT_REQUIRED -> "requests without a token are let through (no AuthorizationPolicy there requires one)";
            case PARTLY -> "a token is required only in part (" + String.join("; ", said) + ")";
        };
    }

    /** None: in drift the mesh config (root namespace) it reads is the live one, not the applied install. */
    @Override
    public java.util.Set<String> installFields() {
        return java.util.Set.of();
    }
}

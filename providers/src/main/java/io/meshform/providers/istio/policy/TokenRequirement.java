package io.meshform.providers.istio.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether the AuthorizationPolicies on a workload make a JWT required, given that a RequestAuthentication verifies
 * one there. A RequestAuthentication rejects only an invalid token: istiod gives each of its issuers the Envoy
 * requirement {@code provider OR allow_missing} ({@code convertToEnvoyJwtConfig}, pilot/pkg/security/authn/
 * policy_applier.go, Istio 1.30.3), so a request with no token passes with no identity, "to restrict access to
 * authenticated requests only, this should be accompanied by an authorization rule" (istio/api
 * security/v1beta1/request_authentication.proto). A request without a token has no {@code request.auth.*} attribute
 * (the jwt_authn filter sets that dynamic metadata only for a verified token), so, with istiod's matching
 * ({@link AuthzPolicy}: rules OR'ed, {@code from} sources OR'ed, everything else AND'ed, {@code notX} the negation):
 * <ul>
 *   <li>a positive {@code request.auth.*} condition ({@code from.source.requestPrincipals}, or a {@code when} on
 *       {@code request.auth.principal}, {@code .audiences}, {@code .presenter}, {@code .claims[...]} with
 *       {@code values}) never holds for it, a negative one ({@code notRequestPrincipals}, {@code notValues}) always
 *       does;</li>
 *   <li>an enforced ALLOW policy lets it through only by a rule that does not require a token (a rule requires one when
 *       a {@code when} condition does, or every {@code from} source does): when every ALLOW rule on the workload
 *       requires one, a token is required ({@link Verdict#REQUIRED}); when the rules that do not are limited (to
 *       paths, hosts, sources), tokenless requests get through only there ({@link Verdict#PARTLY});</li>
 *   <li>an enforced DENY rule whose conditions all hold for it and that names no operation (the documented
 *       {@code notRequestPrincipals: ["*"]}) denies every tokenless request; one limited to operations or other
 *       conditions only some;</li>
 *   <li>an enforced CUSTOM policy sends the requests its rules match to the auth proxy, which decides: a rule that
 *       matches every request but named exceptions ({@code notPaths}) counts as covering, as the ingress coverage check
 *       counts it (the exceptions are its public paths, that check's table); a rule limited to {@code paths},
 *       {@code hosts}, {@code methods}, {@code ports} or to a condition sends a request without a token to the auth
 *       proxy only there, and lets it through elsewhere ({@link #sendsAllBut}).</li>
 * </ul>
 * Dry-run policies ({@link AuthzPolicy#dryRun}) enforce nothing of the kind and are left out; AUDIT only logs.
 *
 * @param verdict   whether a token is required
 * @param coveredBy what requires it (for {@code REQUIRED}), else empty
 * @param gaps      the requests without a token that policies on every selected workload let through only in part
 *                  (the exceptions a rule names: paths, hosts, sources)
 * @param someWorkloads what requires a token on only some of the selected workloads (the others let every request
 *                  without one through)
 */
public record TokenRequirement(Verdict verdict, List<String> coveredBy, List<String> gaps, List<String> someWorkloads) {

    public TokenRequirement {
        coveredBy = List.copyOf(coveredBy);
        gaps = List.copyOf(gaps);
        someWorkloads = List.copyOf(someWorkloads);
    }

    /** What a request without a token meets on the workload. */
    public enum Verdict {
        /** Denied (or sent to the auth proxy) wherever it goes. */
        REQUIRED,
        /** Denied only on some requests: some paths, hosts or sources, named in the gaps. */
        PARTLY,
        /** Let through everywhere: the RequestAuthentication checks only tokens that are sent. */
        NOT_REQUIRED
    }

    /** The prefix of every attribute a verified JWT sets (pilot/pkg/security/authz/model/model.go attrRequest*). */
    static final String AUTH_ATTRIBUTE = "request.auth.";

    /**
     * The verdict for a workload that the {@code attached} policies attach to (istiod's attachment already decided),
     * targeted ones included (the caller matched their targets), given a verdict on the workloads the {@code partly}
     * policies attach to as well (a policy whose selector is
     * narrower than the RequestAuthentication's, or that lives in one namespace of a root-namespace one).
     */
    public static TokenRequirement of(List<AuthzPolicy> attached, List<PartlyAttached> partly) {
        List<String> covered = new ArrayList<>();
        List<String> gaps = new ArrayList<>();
        List<AuthzPolicy> enforced = attached.stream().filter(p -> !p.dryRun()).toList();
        for (AuthzPolicy p : enforced) {
            if (!p.action().equals("CUSTOM")) {
                continue;
            }
            List<String> limited = new ArrayList<>();
            for (AuthzPolicy.Rule r : p.rules()) {
                String exempt = sendsAllBut(r);
                if (exempt != null) {
                    covered.add("CUSTOM " + p.id() + " sends requests to the auth proxy " + p.provider() + exempt);
                    limited.clear();
                    break;
                }
                limited.add("CUSTOM " + p.id() + " rule " + r.number() + " sends a request without a token to the auth"
                        + " proxy " + p.provider() + " only " + limits(r));
            }
            gaps.addAll(limited);
        }
        for (AuthzPolicy p : enforced) {
            if (!p.action().equals("DENY")) {
                continue;
            }
            for (AuthzPolicy.Rule r : p.rules()) {
                if (r.operations().isEmpty() && holdsForTokenless(r)) {
                    covered.add("DENY " + p.id() + " rule " + r.number() + " denies every request without a token");
                } else if (namesMissingToken(r) && mayHoldForTokenless(r)) {
                    gaps.add("DENY " + p.id() + " rule " + r.number() + " denies a request without a token only "
                            + limits(r));
                }
            }
        }
        List<AuthzPolicy> allows = enforced.stream().filter(p -> p.action().equals("ALLOW")).toList();
        if (!allows.isEmpty()) {
            List<String> open = new ArrayList<>();
            boolean openEverywhere = false;
            for (AuthzPolicy p : allows) {
                for (AuthzPolicy.Rule r : p.rules()) {
                    if (requiresToken(r)) {
                        continue;
                    }
                    if (r.operations().isEmpty() && holdsForTokenless(r)) {
                        openEverywhere = true;
                        open.add("ALLOW " + p.id() + " rule " + r.number() + " allows every request");
                    } else {
                        open.add("ALLOW " + p.id() + " rule " + r.number() + " allows a request without a token " + limits(r));
                    }
                }
            }
            if (open.isEmpty()) {
                covered.add(allowsNothingWithoutAToken(allows));
            } else if (!openEverywhere) {
                gaps.addAll(open);
            }
        }
        if (!covered.isEmpty()) {
            return new TokenRequirement(Verdict.REQUIRED, covered, List.of(), List.of());
        }
        List<String> some = new ArrayList<>();
        for (PartlyAttached pa : partly) {
            TokenRequirement alone = of(List.of(pa.policy()), List.of());
            if (alone.verdict() != Verdict.NOT_REQUIRED) {
                some.add(pa.policy().action() + " " + pa.policy().id() + " requires a token "
                        + (alone.verdict() == Verdict.PARTLY ? "in part " : "") + "only on " + pa.only());
            }
        }
        return new TokenRequirement(gaps.isEmpty() && some.isEmpty() ? Verdict.NOT_REQUIRED : Verdict.PARTLY, List.of(), gaps, some);
    }

    /**
     * Why no ALLOW rule lets a tokenless request through, in words: the policies whose every rule requires a token, and
     * those without rules, which istiod turns into a policy that never matches ({@code rbacPolicyMatchNever},
     * pilot/pkg/security/authz/builder/builder.go, Istio 1.30.3): they allow no request at all, so "requires a token"
     * would promise that a request with one gets in.
     */
    private static String allowsNothingWithoutAToken(List<AuthzPolicy> allows) {
        List<String> ruled = allows.stream().filter(p -> !p.rules().isEmpty()).map(AuthzPolicy::id).toList();
        List<String> empty = allows.stream().filter(p -> p.rules().isEmpty()).map(AuthzPolicy::id).toList();
        List<String> said = new ArrayList<>();
        if (!ruled.isEmpty()) {
            said.add("every rule of the ALLOW " + (ruled.size() == 1 ? "policy " : "policies ") + String.join(", ", ruled)
                    + " requires a token");
        }
        if (!empty.isEmpty()) {
            said.add("the ALLOW " + (empty.size() == 1 ? "policy " + empty.get(0) + " has no rules, so it allows"
                    : "policies " + String.join(", ", empty) + " have no rules, so they allow") + " no request at all"
                    + (ruled.isEmpty() ? " (those without a token are refused too)" : ""));
        }
        return String.join(", and ", said);
    }

    /**
     * Whether a CUSTOM rule sends every request to the auth proxy but those it names as exceptions: it has no
     * {@code when}/{@code from} and no operation, or an operation of {@code not} fields only ({@code notPaths:
     * ["/healthz"]}), the fail-closed form whose exceptions are the public paths the ingress coverage check judges.
     * Returns the exceptions in words ("" for none), or null for a rule that names what goes to the auth proxy
     * ({@code paths}, {@code hosts}, {@code methods}, {@code ports}) or depends on a condition: istiod enables the
     * ext_authz filter only for requests a CUSTOM rule matches (pilot/pkg/security/authz/builder/builder.go
     * {@code buildHTTP}, extauthz.go {@code generateFilterMatcherForProvider}), so a request without a token anywhere
     * else never reaches the auth proxy.
     */
    static String sendsAllBut(AuthzPolicy.Rule r) {
        if (r.conditional()) {
            return null;
        }
        if (r.operations().isEmpty()) {
            return "";
        }
        for (AuthzPolicy.Operation op : r.operations()) {
            if (op.fields().keySet().stream().allMatch(f -> f.startsWith("not"))) {
                return " (all but " + String.join(" ", op.fields().entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue()).toList()) + ")";
            }
        }
        return null;
    }

    /**
     * A policy that attaches to only some of the workloads a RequestAuthentication selects.
     *
     * @param only which of them, in words ("workloads also labelled {version=v1}", "namespace shop")
     */
    public record PartlyAttached(AuthzPolicy policy, String only) {
    }

    /**
     * Whether a request must carry a verified token to match the rule: a {@code when} condition on a {@code request.auth.*}
     * attribute has values, or the rule has {@code from} sources and each has such a condition (requestPrincipals).
     */
    public static boolean requiresToken(AuthzPolicy.Rule r) {
        if (r.when().stream().anyMatch(TokenRequirement::needsToken)) {
            return true;
        }
        return !r.from().isEmpty() && r.from().stream().allMatch(s -> s.stream().anyMatch(TokenRequirement::needsToken));
    }

    /** Whether every request without a token meets the rule's {@code when} and {@code from} (operations aside). */
    static boolean holdsForTokenless(AuthzPolicy.Rule r) {
        return r.when().stream().allMatch(TokenRequirement::holdsWithoutToken)
                && (r.from().isEmpty() || r.from().stream().anyMatch(s -> s.stream().allMatch(TokenRequirement::holdsWithoutToken)));
    }

    /** Whether a request without a token can meet the rule's {@code when} and {@code from}, whatever else it must meet. */
    static boolean mayHoldForTokenless(AuthzPolicy.Rule r) {
        return r.when().stream().noneMatch(TokenRequirement::needsToken)
                && (r.from().isEmpty() || r.from().stream().anyMatch(s -> s.stream().noneMatch(TokenRequirement::needsToken)));
    }

    /** Whether the rule has a condition that only a missing (or other) token meets: a negated {@code request.auth.*}. */
    static boolean namesMissingToken(AuthzPolicy.Rule r) {
        return r.conditions().stream().anyMatch(TokenRequirement::holdsWithoutToken);
    }

    private static boolean needsToken(AuthzPolicy.Condition c) {
        return c.key().startsWith(AUTH_ATTRIBUTE) && !c.values().isEmpty();
    }

    private static boolean holdsWithoutToken(AuthzPolicy.Condition c) {
        return c.key().startsWith(AUTH_ATTRIBUTE) && c.values().isEmpty() && !c.notValues().isEmpty();
    }

    /** The rule's limits in words: "to paths [/healthz]; when the source IP is 10.0.0.0/8". */
    static String limits(AuthzPolicy.Rule r) {
        List<String> parts = new ArrayList<>();
        List<String> ops = new ArrayList<>();
        for (AuthzPolicy.Operation op : r.operations()) {
            ops.add(String.join(" ", op.fields().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList()));
        }
        if (!ops.isEmpty()) {
            parts.add("to " + String.join(" or ", ops));
        }
        List<String> conditions = r.conditions().stream().filter(c -> !c.key().startsWith(AUTH_ATTRIBUTE))
                .map(c -> (c.field().equals("when") ? c.key() : c.field()) + " " + (c.values().isEmpty() ? "not " + c.notValues() : c.values())).toList();
        if (!conditions.isEmpty()) {
            // the from sources are OR'ed, the when conditions AND'ed: with several sources, "and" would overstate
            parts.add("when " + String.join(r.from().size() > 1 ? " or " : " and ", conditions));
        }
        return parts.isEmpty() ? "(see the rule)" : String.join("; ", parts);
    }
}

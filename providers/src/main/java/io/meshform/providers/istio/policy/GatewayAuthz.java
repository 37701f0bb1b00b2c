package io.meshform.providers.istio.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The AuthorizationPolicies in force on one gateway workload and what they do to one HTTP request, in Envoy's order.
 * The HTTP connection manager runs the CUSTOM filters first, then the local RBAC filters (pilot/pkg/networking/core/
 * listener_builder.go {@code buildHTTPConnectionManager}), those in the order AUDIT, DENY, ALLOW (pilot/pkg/security/
 * authz/builder/builder.go {@code build}). A CUSTOM policy becomes an RBAC filter whose shadow rules hold its rules and
 * an ext_authz filter enabled only when a shadow rule matched ({@code buildHTTP}; extauthz.go
 * {@code generateFilterMatcherForProvider}): only requests a CUSTOM rule matches reach the auth proxy. A provider the
 * mesh config lacks or istiod refuses turns the CUSTOM rules into DENY rules ({@code getBadCustomDenyRules}), as does
 * more than one provider on one workload without {@code PILOT_ENABLE_MULTIPLE_CUSTOM_AUTHZ_PROVIDERS} (default false,
 * pilot/pkg/features/security.go). With no ALLOW policy no ALLOW filter exists, and what DENY lets pass is allowed.
 * A dry-run ({@link AuthzPolicy#isDryRun}) DENY or ALLOW policy is only logged: it goes into the filter's shadow rules,
 * and without an enforced ALLOW policy there is no ALLOW filter ({@code build}: {@code enforceRules = nil}). A dry-run
 * CUSTOM policy's rules become the RBAC filter's enforced rules, with action DENY, ahead of the ext_authz filter
 * ({@code buildHTTP}: {@code rbac.Rules = providerShadowRules}): what they match is denied, not sent to the auth
 * proxy. When istiod turns a provider's rules into DENY rules it takes the enforced ones only
 * ({@code getBadCustomDenyRules(providerRules)}), so there a dry-run CUSTOM policy does nothing.
 *
 * @param policies      the policies istiod attaches to the workload ({@link PolicyAttachment}), by selector or targetRefs
 * @param normalization the mesh's path normalization
 * @param usableProvider whether istiod accepts a CUSTOM provider (declared, ext_authz, valid)
 */
public record GatewayAuthz(List<AuthzPolicy> policies, PathNormalization normalization, Predicate<String> usableProvider) {

    public GatewayAuthz {
        policies = List.copyOf(policies);
    }

    /** What happens to a request. */
    public enum Outcome {
        AUTH_PROXY("goes to the auth proxy"),
        DENIED("denied (403)"),
        REJECTED("rejected by Envoy"),
        LET_THROUGH("let through without the auth proxy");

        private final String words;

        Outcome(String words) {
            this.words = words;
        }

        public String words() {
            return words;
        }
    }

    /**
     * The outcome and why.
     *
     * @param outcome  what happens
     * @param seenPath the path the filters see (normalized, without query), null when Envoy rejects it
     * @param reason   the policy and rule that decided, or why none did
     * @param match    the deciding match, null when none
     */
    public record Verdict(Outcome outcome, String seenPath, String reason, AuthzPolicy.Match match) {
    }

    /** An HTTP request as it reaches the gateway, before Envoy's path normalization. */
    public record Request(String method, String host, String path, int port) {
        @Override
        public String toString() {
            return method + " " + host + (port == DEFAULT_PORT ? "" : " port " + port) + " " + path;
        }
    }

    /** The container port an istio-ingressgateway's HTTP listener binds (Service port 80 targets 8080). */
    public static final int DEFAULT_PORT = 8080;

    public Verdict evaluate(Request r) {
        Optional<String> normalized = normalization.apply(r.path());
        if (normalized.isEmpty()) {
            return new Verdict(Outcome.REJECTED, null, "Envoy answers " + PathNormalization.refusal(r.path())
                    + " before any filter runs", null);
        }
        String path = PathNormalization.withoutQuery(normalized.get());
        TreeSet<String> providers = new TreeSet<>();
        policies.stream().filter(p -> p.action().equals("CUSTOM") && p.provider() != null).forEach(p -> providers.add(p.provider()));
        boolean tooMany = providers.size() > 1;
        for (String provider : providers) {
            boolean bad = tooMany || !usableProvider.test(provider);
            List<AuthzPolicy> own = policies.stream().filter(p -> p.action().equals("CUSTOM") && provider.equals(p.provider())
                    && !(bad && p.dryRun())).toList();
            for (AuthzPolicy p : own) {
                AuthzPolicy.Match m = p.dryRun() ? p.match(r.method(), r.host(), path, r.port(), false) : null;
                if (m != null) {
                    return new Verdict(Outcome.DENIED, path, m + ": the policy is dry-run (" + AuthzPolicy.DRY_RUN + "), so"
                            + " istiod enforces its rules as DENY rules ahead of the auth proxy", m);
                }
            }
            for (AuthzPolicy p : own) {
                AuthzPolicy.Match m = p.match(r.method(), r.host(), path, r.port(), false);
                if (m != null) {
                    if (tooMany) {
                        return new Verdict(Outcome.DENIED, path, m + ": more than one CUSTOM provider on the workload,"
                                + " so istiod turns every CUSTOM rule into a DENY rule", m);
                    }
                    if (bad) {
                        return new Verdict(Outcome.DENIED, path, m + ": provider " + provider
                                + " is not usable, so istiod turns the rule into a DENY rule", m);
                    }
                    return new Verdict(Outcome.AUTH_PROXY, path, m + " sends it to " + provider, m);
                }
            }
        }
        List<String> logged = new ArrayList<>();
        for (AuthzPolicy p : policies) {
            if (p.action().equals("DENY")) {
                AuthzPolicy.Match m = p.match(r.method(), r.host(), path, r.port(), false);
                if (m != null && !p.dryRun()) {
                    return new Verdict(Outcome.DENIED, path, m + " denies it" + notes(logged), m);
                }
                if (m != null) {
                    logged.add(m + " matches, but the policy is dry-run, so it is only logged");
                }
            }
        }
        List<AuthzPolicy> allows = policies.stream().filter(p -> p.action().equals("ALLOW") && !p.dryRun()).toList();
        for (AuthzPolicy p : policies) {
            if (p.action().equals("ALLOW") && p.dryRun()) {
                AuthzPolicy.Match m = p.match(r.method(), r.host(), path, r.port(), true);
                logged.add("dry-run ALLOW " + p.id() + (m == null ? "" : " would allow it but") + " is only logged"
                        + (allows.isEmpty() ? ", so there is no ALLOW filter" : ""));
            }
        }
        for (AuthzPolicy p : allows) {
            AuthzPolicy.Match m = p.match(r.method(), r.host(), path, r.port(), true);
            if (m != null) {
                return new Verdict(Outcome.LET_THROUGH, path, noCustomMatch(r, path) + "; " + m + " allows it"
                        + notes(logged), m);
            }
        }
        if (!allows.isEmpty()) {
            return new Verdict(Outcome.DENIED, path, "no ALLOW rule matches (" + String.join(", ",
                    allows.stream().map(AuthzPolicy::id).toList()) + ")" + notes(logged), null);
        }
        return new Verdict(Outcome.LET_THROUGH, path, noCustomMatch(r, path) + notes(logged), null);
    }

    /**
     * Why no CUSTOM rule sent the request on. A CUSTOM policy without a provider is skipped above, since Istio's
     * validation refuses it ({@code provider.name} must not be empty, pilot/pkg/config/validation ValidateAuthorizationPolicy)
     * and the API server never stores it; when its rule matches, "no CUSTOM rule matches" would deny what the stack
     * plainly says, so the reason names the missing provider.
     */
    private String noCustomMatch(Request r, String path) {
        for (AuthzPolicy p : policies) {
            if (p.action().equals("CUSTOM") && p.provider() == null) {
                AuthzPolicy.Match m = p.match(r.method(), r.host(), path, r.port(), false);
                if (m != null) {
                    return m + " would send it to an auth proxy, but the policy names no provider, which Istio's"
                            + " validation refuses, so no CUSTOM rule is in force";
                }
            }
        }
        return "no CUSTOM rule matches " + path;
    }

    /** The dry-run policies that would have decided, as the reason's tail ({@link AuthzPolicy#DRY_RUN}). */
    private static String notes(List<String> logged) {
        return logged.isEmpty() ? "" : "; " + String.join("; ", logged) + " (" + AuthzPolicy.DRY_RUN + ")";
    }
}

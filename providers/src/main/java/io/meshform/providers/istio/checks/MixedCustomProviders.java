package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.providers.istio.policy.AuthzPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Workloads where the stack's CUSTOM AuthorizationPolicy meets a CUSTOM policy of another provider. istiod allows one
 * provider per workload unless {@code PILOT_ENABLE_MULTIPLE_CUSTOM_AUTHZ_PROVIDERS} is set (default false,
 * pilot/pkg/features/security.go); with more it turns every enforced CUSTOM rule of the workload into a DENY rule
 * ({@code buildHTTP}, {@code getBadCustomDenyRules}, pilot/pkg/security/authz/builder/builder.go), so no request
 * reaches any auth proxy. On the real cluster, an unmanaged CUSTOM policy naming another provider on the ingress gateway
 * left drift at "No drift" (exit 0): the coverage note's rows said "denied (403)" and "0 let through", true, but nothing
 * said the stack's policy no longer sends anything to its auth proxy, so every protected path answered 403. One warning
 * per set of policies, naming the workloads ({@link JudgedGateways}).
 */
final class MixedCustomProviders {
    /** How its warning starts. */
    static final String SUMMARY = "ingress coverage: CUSTOM policies name ";

    private record Found(List<AuthzPolicy> customs, AuthzPolicy own, JudgedGateways gateways) {
    }

    private final Map<String, Found> found = new LinkedHashMap<>();

    /** Workload {@code w}, with the policies istiod attaches to it; {@code ours} tells the stack's. */
    void add(CoveredWorkloads.Workload w, List<AuthzPolicy> attached, java.util.function.Predicate<AuthzPolicy> ours) {
        List<AuthzPolicy> customs = attached.stream().filter(p -> p.action().equals("CUSTOM") && p.provider() != null).toList();
        AuthzPolicy own = customs.stream().filter(ours).findFirst().orElse(null);
        if (own == null || customs.stream().map(AuthzPolicy::provider).distinct().count() < 2) {
            return;
        }
        String key = String.join(",", new TreeSet<>(customs.stream().map(AuthzPolicy::id).toList()));
        found.computeIfAbsent(key, k -> new Found(customs, own, new JudgedGateways())).gateways().add(w);
    }

    /** One warning per set of policies; {@code at} gives the stack's policy's place in the file. */
    List<Diagnostic> findings(Function<AuthzPolicy, io.meshform.engine.diag.SourceRange> at) {
        List<Diagnostic> out = new ArrayList<>();
        for (Found f : found.values()) {
            Map<String, List<String>> byProvider = new TreeMap<>();
            f.customs().forEach(p -> byProvider.computeIfAbsent(p.provider(), k -> new ArrayList<>()).add(p.id()));
            List<String> named = new ArrayList<>();
            byProvider.forEach((provider, ids) -> named.add(provider + " (" + String.join(", ", ids) + ")"));
            out.add(Diagnostic.warning(SUMMARY + byProvider.size() + " providers on "
                            + f.gateways().named() + ": " + String.join(", ", named) + "; no request reaches an auth proxy",
                    "istiod allows one CUSTOM provider per workload unless PILOT_ENABLE_MULTIPLE_CUSTOM_AUTHZ_PROVIDERS is set"
                            + " (default false); with more it turns every CUSTOM rule there into a DENY rule"
                            + " (pilot/pkg/security/authz/builder/builder.go getBadCustomDenyRules): what "
                            + f.own().id() + " protects answers 403 without a login, and " + f.own().provider()
                            + " is never asked. Remove the other provider's policy, or have it name " + f.own().provider(),
                    at.apply(f.own())));
        }
        return out;
    }
}

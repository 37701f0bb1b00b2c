package io.meshform.providers.istio.policy;

import io.meshform.providers.istio.policy.GatewayAuthz.Outcome;
import io.meshform.providers.istio.policy.GatewayAuthz.Request;
import io.meshform.providers.istio.policy.GatewayAuthz.Verdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which requests to one gateway workload reach the auth proxy. The protected paths are what the CUSTOM policies'
 * rules match ({@code paths}; with none, every path but the {@code notPaths}) and the stack's {@code protected:}
 * expectations; each is tried with its {@link PathVariants} (and other methods, hosts and ports when a policy names
 * them, as a client sends them: methods upper case, whatever case the policy wrote), evaluated by {@link GatewayAuthz}
 * after the mesh's {@link PathNormalization}. A variant of a protected path
 * that is let through without the auth proxy is a bypass. The stack's {@code public:} paths must be let through.
 *
 * <p>A CUSTOM rule with {@code when} or {@code from} sends a request to the auth proxy only when its conditions hold
 * (the rule becomes a shadow rule of the CUSTOM RBAC filter, and the ext_authz filter runs only when one matched:
 * pilot/pkg/security/authz/builder/builder.go {@code buildHTTP}, extauthz.go {@code generateFilterMatcherForProvider};
 * the conditions are AND'ed into the rule, pilot/pkg/security/authz/model/model.go {@code New}). Its paths are sampled
 * too, after the unconditional rules', and evaluated with its conditions not holding ({@link GatewayAuthz} matches
 * CUSTOM rules with {@code assumeConditional} false): each such sample says how the request escapes the conditions
 * ("when rule 0's when/from does not hold: header x-skip-auth is yes"), and is a bypass unless another rule sends it to
 * the auth proxy.
 */
public final class IngressCoverage {

    private IngressCoverage() {
    }

    /**
     * A path the stack says must (protected) or must not (public) need a login.
     *
     * @param path  the path, in the {@code paths} syntax ({@code /admin/*} allowed)
     * @param index the entry's place in its list, for its source position
     */
    public record Expectation(String path, boolean mustProtect, int index) {
    }

    /**
     * One request tried.
     *
     * @param request     the request as sent
     * @param variant     which variant it is ("doubled slash"), with the path it varies
     * @param protect     true when it must reach the auth proxy (a variant of a protected path); false for a public path
     * @param origin      what made it protected or public: a CUSTOM policy's value, or an expectation
     * @param expectation the stack's expectation it comes from, null for one derived from a policy
     * @param source      the CUSTOM policy whose value it comes from, null for an expectation
     * @param pointer     where in that policy's spec the value is ("/rules/0/to/0/operation/paths/1")
     * @param verdict     what Envoy does with it
     */
    public record Row(Request request, String variant, boolean protect, String origin, Expectation expectation,
                      AuthzPolicy source, String pointer, Verdict verdict) {
        /** True when the row breaks what is expected. */
        public boolean wrong() {
            return protect ? verdict.outcome() == Outcome.LET_THROUGH : verdict.outcome() != Outcome.LET_THROUGH;
        }
    }

    /** The requests tried and their verdicts. */
    public record Report(List<Row> rows) {
        public List<Row> bypasses() {
            return rows.stream().filter(r -> r.protect() && r.wrong()).toList();
        }
    }

    /** Tries every variant of every protected path of the workload's CUSTOM policies and of the expectations. */
    public static Report of(GatewayAuthz authz, List<Expectation> expectations) {
        List<String> prefixes = new ArrayList<>();
        List<String> suffixes = new ArrayList<>();
        boolean methods = false;
        boolean hosts = false;
        boolean ports = false;
        for (AuthzPolicy p : authz.policies()) {
            for (AuthzPolicy.Rule r : p.rules()) {
                for (AuthzPolicy.Operation op : r.operations()) {
                    methods |= !op.values("methods").isEmpty() || !op.values("notMethods").isEmpty();
                    hosts |= !op.values("hosts").isEmpty() || !op.values("notHosts").isEmpty();
                    ports |= !op.values("ports").isEmpty() || !op.values("notPorts").isEmpty();
                    List<String> exempt = p.action().equals("CUSTOM") ? op.values("notPaths")
                            : p.action().equals("ALLOW") ? op.values("paths") : List.of();
                    exempt.forEach(v -> publicShape(v, prefixes, suffixes));
                }
            }
        }
        expectations.stream().filter(e -> !e.mustProtect()).forEach(e -> publicShape(e.path(), prefixes, suffixes));

        Map<String, Row> rows = new LinkedHashMap<>();
        for (boolean conditional : List.of(false, true)) { // the unconditional rules' samples first, as before
            for (AuthzPolicy p : authz.policies()) {
                if (!p.action().equals("CUSTOM")) {
                    continue;
                }
                for (AuthzPolicy.Rule r : p.rules()) {
                    if (r.conditional() != conditional) {
                        continue;
                    }
                    String unless = conditional ? "when rule " + r.number() + "'s when/from does not hold"
                            + (r.unless() == null ? "" : ": " + r.unless()) : null;
                    List<AuthzPolicy.Operation> ops = r.operations().isEmpty() ? java.util.Collections.singletonList(null) : r.operations();
                    for (AuthzPolicy.Operation op : ops) {
                        boolean all = op == null || op.values("paths").isEmpty();
                        List<String> values = all ? List.of("/", "/app/x") : op.values("paths");
                        for (int i = 0; i < values.size(); i++) {
                            String v = values.get(i);
                            String origin = p.id() + (all ? " (every path" + (op == null || op.values("notPaths").isEmpty() ? ""
                                    : " but its notPaths") + ")" : " paths " + v);
                            Source from = new Source(origin, null, p, op == null ? r.pointer() : all ? op.pointer() : op.pointer() + "/paths/" + i,
                                    unless);
                            tryAll(authz, PathVariants.sample(v), op, from, prefixes, suffixes, methods, hosts, ports, rows);
                        }
                    }
                }
            }
        }
        for (Expectation e : expectations) {
            if (e.mustProtect()) {
                tryAll(authz, PathVariants.sample(e.path()), null, new Source("protected: " + e.path(), e, null, null, null), prefixes,
                        suffixes, methods, hosts, ports, rows);
            } else {
                String path = PathVariants.sample(e.path()).path();
                Request req = new Request("GET", "example.com", path, GatewayAuthz.DEFAULT_PORT);
                rows.put(key(req), new Row(req, "public path", false, "public: " + e.path(), e, null, null, authz.evaluate(req)));
            }
        }
        return new Report(List.copyOf(rows.values()));
    }

    private static void publicShape(String v, List<String> prefixes, List<String> suffixes) {
        if (v.endsWith("/*") || v.endsWith("/{**}")) {
            prefixes.add(v.substring(0, v.lastIndexOf('/') + 1));
        } else if (v.startsWith("*") && v.length() > 1) {
            suffixes.add(v.substring(1));
        }
    }

    /**
     * What made a sample protected: a policy's value (policy and pointer) or an expectation; {@code unless} says how
     * the request escapes a conditional rule's when/from (null for an unconditional rule or an expectation).
     */
    private record Source(String origin, Expectation expectation, AuthzPolicy policy, String pointer, String unless) {
    }

    private static void tryAll(GatewayAuthz authz, PathVariants.Sample s, AuthzPolicy.Operation op, Source from,
                               List<String> prefixes, List<String> suffixes, boolean methods, boolean hosts, boolean ports,
                               Map<String, Row> rows) {
        // The request a client sends for the policy's first method: upper case (RFC 9110), whatever case the policy
        // wrote it in, since istiod matches :method case-sensitively (methodGenerator, generator.go).
        String method = op == null || op.values("methods").isEmpty() ? "GET"
                : op.values("methods").get(0).toUpperCase(java.util.Locale.ROOT);
        String host = op == null || op.values("hosts").isEmpty() ? "example.com" : PathVariants.concreteHost(op.values("hosts").get(0));
        int port = op == null || op.values("ports").isEmpty() || !op.values("ports").get(0).matches("\\d+")
                ? GatewayAuthz.DEFAULT_PORT : Integer.parseInt(op.values("ports").get(0));
        for (Map.Entry<String, String> v : PathVariants.of(s, prefixes, suffixes).entrySet()) {
            add(authz, new Request(method, host, v.getKey(), port), v.getValue() + " of " + s.path(), from, rows);
        }
        if (methods) {
            for (String m : PathVariants.METHODS) {
                add(authz, new Request(m, host, s.path(), port), "method " + m + " on " + s.path(), from, rows);
            }
        }
        if (hosts) {
            for (String h : PathVariants.hosts(host, port)) {
                add(authz, new Request(method, h, s.path(), port), "host " + h + " for " + s.path(), from, rows);
            }
        }
        if (ports) {
            for (int p : List.of(GatewayAuthz.DEFAULT_PORT, 8443)) {
                add(authz, new Request(method, host, s.path(), p), "port " + p + " for " + s.path(), from, rows);
            }
        }
    }

    private static void add(GatewayAuthz authz, Request req, String variant, Source from, Map<String, Row> rows) {
        if (rows.containsKey(key(req))) {
            return;
        }
        Verdict v = authz.evaluate(req);
        if (from.unless() != null) {
            variant += ", " + from.unless();
            if (v.outcome() == Outcome.LET_THROUGH) {
                v = new Verdict(v.outcome(), v.seenPath(), "let through " + from.unless() + "; " + v.reason(), v.match());
            }
        }
        rows.put(key(req), new Row(req, variant, true, from.origin(), from.expectation(), from.policy(), from.pointer(), v));
    }

    private static String key(Request r) {
        return r.method() + " " + r.host() + " " + r.port() + " " + r.path();
    }
}

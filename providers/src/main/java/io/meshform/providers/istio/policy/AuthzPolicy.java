package io.meshform.providers.istio.policy;

import io.meshform.providers.kubernetes.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * An AuthorizationPolicy as istiod turns it into Envoy RBAC (pilot/pkg/security/authz/model/model.go {@code New}):
 * rules are OR'ed; a rule matches when one of its {@code to} operations matches and one of its {@code from} sources
 * and every {@code when} condition do; inside an operation the fields are AND'ed and each field's values OR'ed;
 * {@code notX} is NOT(OR(values)) ({@code model.go} {@code generatePermission}). A policy without rules matches nothing
 * ({@code rbacPolicyMatchNever}, pilot/pkg/security/authz/builder/builder.go), so an ALLOW policy without rules allows
 * nothing.
 *
 * <p>A policy annotated {@code istio.io/dry-run} (true as Go's {@code strconv.ParseBool} reads it; any other value is
 * logged by istiod as an error and counts as false: {@code isDryRun}, pilot/pkg/security/authz/builder/builder.go)
 * goes into the RBAC filter's shadow rules when it is DENY or ALLOW, so it is only logged; a dry-run CUSTOM policy's
 * rules are the RBAC filter's enforced rules with action DENY ({@code buildHTTP}), so what it matches is denied.
 *
 * @param namespace the policy's namespace
 * @param name      the policy's name
 * @param action    ALLOW (the default), DENY, AUDIT or CUSTOM
 * @param provider  the CUSTOM provider's name, else null
 * @param selector  {@code selector.matchLabels}, null when the policy has no selector
 * @param targeted  true when it names {@code targetRef(s)}: istiod ignores it on a classic gateway Deployment
 *                  (pilot/pkg/model/policyattachment.go)
 * @param dryRun    true when its {@code istio.io/dry-run} annotation says so ({@link #isDryRun(JsonNode)})
 * @param rules     the rules
 */
public record AuthzPolicy(String namespace, String name, String action, String provider, Map<String, String> selector,
                          boolean targeted, boolean dryRun, List<Rule> rules) {

    public AuthzPolicy {
        rules = List.copyOf(rules);
    }

    /**
     * One rule. {@code operations} empty means any request; {@code conditional} is true when it has {@code from} or
     * {@code when}, which depend on who sends the request: the coverage model cannot know them, so it assumes the
     * worst (a conditional CUSTOM or DENY rule may not match, a conditional ALLOW rule may).
     *
     * @param pointer JSON pointer of the rule in the policy's spec ("/rules/0")
     */
    public record Rule(List<Operation> operations, boolean conditional, String pointer) {
    }

    /**
     * One {@code to.operation}: field name (hosts, notHosts, ports, notPorts, methods, notMethods, paths, notPaths) to
     * values, and the operation's pointer ("/rules/0/to/1/operation").
     */
    public record Operation(Map<String, List<String>> fields, String pointer) {
        public List<String> values(String field) {
            return fields.getOrDefault(field, List.of());
        }

        /** Whether the operation matches the request (the path as Envoy's url_path sees it: normalized, no query). */
        public boolean matches(String method, String host, String path, int port) {
            return field("hosts", "notHosts", v -> StringMatch.host(v).matches(host))
                    && field("methods", "notMethods", v -> StringMatch.method(v).matches(method))
                    && field("paths", "notPaths", v -> StringMatch.path(v).matches(path))
                    && field("ports", "notPorts", v -> v.equals(String.valueOf(port)));
        }

        private boolean field(String yes, String no, java.util.function.Predicate<String> test) {
            List<String> in = values(yes);
            List<String> out = values(no);
            return (in.isEmpty() || in.stream().anyMatch(test)) && (out.isEmpty() || out.stream().noneMatch(test));
        }

        /** The value of {@code field} that matches, for messages; null when none does. */
        public String matching(String field, java.util.function.Predicate<String> test) {
            return values(field).stream().filter(test).findFirst().orElse(null);
        }
    }

    /** The annotation that makes istiod log a policy's matches instead of enforcing them (CUSTOM: see the type). */
    public static final String DRY_RUN = "istio.io/dry-run";

    /**
     * Whether an AuthorizationPolicy object is dry-run as istiod's {@code isDryRun} reads it: the annotation parsed
     * by Go's {@code strconv.ParseBool}, whose only true values are 1, t, T, TRUE, true and True; a value it cannot
     * parse ("yes", "on", "") is an error istiod logs, and the policy is enforced.
     */
    public static boolean isDryRun(JsonNode object) {
        String v = Json.text(object.path("metadata").path("annotations"), DRY_RUN);
        return v != null && List.of("1", "t", "T", "TRUE", "true", "True").contains(v);
    }

    static final List<String> OPERATION_FIELDS = List.of("hosts", "notHosts", "ports", "notPorts", "methods", "notMethods",
            "paths", "notPaths");

    /** From an AuthorizationPolicy object (apiVersion, kind, metadata, spec). */
    public static AuthzPolicy of(JsonNode object) {
        JsonNode spec = object.path("spec");
        String action = Json.text(spec, "action");
        List<Rule> rules = new ArrayList<>();
        JsonNode rs = spec.path("rules");
        for (int i = 0; i < rs.size(); i++) {
            JsonNode r = rs.get(i);
            List<Operation> ops = new ArrayList<>();
            JsonNode to = r.path("to");
            for (int j = 0; j < to.size(); j++) {
                JsonNode op = to.get(j).path("operation");
                Map<String, List<String>> fields = new java.util.LinkedHashMap<>();
                for (String f : OPERATION_FIELDS) {
                    List<String> values = new ArrayList<>();
                    op.path(f).forEach(v -> values.add(v.asString()));
                    if (op.has(f)) {
                        fields.put(f, values);
                    }
                }
                ops.add(new Operation(fields, "/rules/" + i + "/to/" + j + "/operation"));
            }
            boolean conditional = r.path("from").size() > 0 || r.path("when").size() > 0;
            rules.add(new Rule(ops, conditional, "/rules/" + i));
        }
        JsonNode sel = spec.path("selector").path("matchLabels");
        return new AuthzPolicy(Json.text(object.path("metadata"), "namespace"), Json.text(object.path("metadata"), "name"),
                action == null ? "ALLOW" : action, Json.text(spec.path("provider"), "name"),
                spec.has("selector") ? Json.stringMap(sel) : null, spec.has("targetRef") || spec.path("targetRefs").size() > 0,
                isDryRun(object), rules);
    }

    public String id() {
        return namespace + "/" + name;
    }

    /**
     * The rule and operation the request matches, or null. {@code assumeConditional} says how a rule with
     * {@code from}/{@code when} counts (true: as if its sources and conditions held).
     */
    public Match match(String method, String host, String path, int port, boolean assumeConditional) {
        for (Rule r : rules) {
            if (r.conditional() && !assumeConditional) {
                continue;
            }
            if (r.operations().isEmpty()) {
                return new Match(this, r, null);
            }
            for (Operation op : r.operations()) {
                if (op.matches(method, host, path, port)) {
                    return new Match(this, r, op);
                }
            }
        }
        return null;
    }

    /** What matched: the policy, the rule, and the operation (null for a rule without {@code to}). */
    public record Match(AuthzPolicy policy, Rule rule, Operation operation) {
        @Override
        public String toString() {
            return policy.action() + " " + policy.id() + " rule " + rule.pointer().substring("/rules/".length());
        }
    }
}

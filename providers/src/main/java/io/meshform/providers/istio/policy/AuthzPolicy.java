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
 * @param targets   its {@code targetRefs} (or single {@code targetRef}), empty when it names none: such a policy
 *                  attaches by its targets, never by a selector ({@link PolicyAttachment})
 * @param dryRun    true when its {@code istio.io/dry-run} annotation says so ({@link #isDryRun(JsonNode)})
 * @param rules     the rules
 */
public record AuthzPolicy(String namespace, String name, String action, String provider, Map<String, String> selector,
                          List<PolicyTarget> targets, boolean dryRun, List<Rule> rules, String revision) {

    public AuthzPolicy {
        targets = List.copyOf(targets);
        rules = List.copyOf(rules);
    }

    /** An unlabelled policy, read by every istiod ({@code revision}: its {@code istio.io/rev} label, {@link ConfigRevision}). */
    public AuthzPolicy(String namespace, String name, String action, String provider, Map<String, String> selector,
                       List<PolicyTarget> targets, boolean dryRun, List<Rule> rules) {
        this(namespace, name, action, provider, selector, targets, dryRun, rules, null);
    }

    /** True when it names {@code targetRef(s)}: istiod attaches it by them alone ({@link PolicyAttachment}). */
    public boolean targeted() {
        return !targets.isEmpty();
    }

    /**
     * One rule. {@code operations} empty means any request; {@code conditional} is true when it has a {@code when}
     * or a {@code from} that not every caller matches ({@link #fromAnyone}), which depend on who sends the request: the coverage model cannot know them, so it assumes the
     * worst (a conditional CUSTOM or DENY rule may not match, a conditional ALLOW rule may). {@code when} and
     * {@code from} hold the conditions (each {@code from} source is a list of its fields' conditions), for messages and
     * for {@link io.meshform.providers.istio.policy.ClientControlled}.
     *
     * @param pointer JSON pointer of the rule in the policy's spec ("/rules/0")
     */
    public record Rule(List<Operation> operations, boolean conditional, String pointer, List<Condition> when,
                       List<List<Condition>> from) {
        public Rule {
            when = List.copyOf(when);
            from = from.stream().map(List::copyOf).toList();
        }

        public Rule(List<Operation> operations, boolean conditional, String pointer) {
            this(operations, conditional, pointer, List.of(), List.of());
        }

        /** The rule's number in its policy ("0"), for messages. */
        public String number() {
            return pointer.substring("/rules/".length());
        }

        /**
         * How a request escapes the rule's {@code when}/{@code from}, in words ("header x-skip-auth is yes"): any
         * {@code when} condition failing, or every {@code from} source failing (model.go {@code New}: the conditions
         * are AND'ed, the sources OR'ed). Null when every request meets them.
         */
        public String unless() {
            List<String> ways = new ArrayList<>(when.stream().map(Condition::failing).toList());
            if (fromAnyone(from)) {  // no from, or a source that names no one: every caller matches it
                return ways.isEmpty() ? null : String.join(" or ", ways);
            }
            if (from.size() == 1) {
                ways.addAll(from.get(0).stream().map(Condition::failing).toList());
            } else {
                ways.add("no from source matches (" + String.join("; ", from.stream().map(s -> String.join(" or ",
                        s.stream().map(Condition::failing).toList())).toList()) + ")");
            }
            return ways.isEmpty() ? null : String.join(" or ", ways);
        }

        /**
         * Whether the rule's {@code from} matches every caller: it has no source, or one source sets no field
         * ({@code from: [{source: {}}]}, {@code from: [{}]}, {@code principals: []}). istiod turns each source into
         * one principal, skipping a field with no values and notValues ({@code insertFront}), and a principal with no
         * condition left into {@code any: true} ({@code generatePrincipal}); the sources are OR'ed, so one that
         * matches anyone makes the whole {@code from} match anyone (pilot/pkg/security/authz/model/model.go, {@code New}
         * and {@code generatePrincipal}). A rule with such a source was counted as conditional: a DENY or CUSTOM
         * rule that istiod applies to every caller was taken for one a caller may escape, and an ALLOW one for one that
         * only some callers pass. Istio's validation refuses such a source ("`from.source` must not be empty",
         * {@code ValidateAuthorizationPolicy}, pkg/config/validation/validation.go; so do meshform's validate and the
         * test bed's webhook): a live policy has one only if it was stored while validation was off. For one stored
         * past the webhook, the test bed's istiod pushes {@code principals: [{and_ids: {ids: [{any: true}]}}]}
         * (AuthzEmptySourceIT).
         */
        static boolean fromAnyone(List<List<Condition>> from) {
            return from.isEmpty() || from.stream().anyMatch(List::isEmpty);
        }

        /** Every condition of the rule: the {@code when} ones, then each {@code from} source's fields. */
        public List<Condition> conditions() {
            List<Condition> all = new ArrayList<>(when);
            from.forEach(all::addAll);
            return all;
        }
    }

    /**
     * One condition of a rule, a {@code when} entry or one field of a {@code from.source}, under the attribute istiod
     * turns it into (pilot/pkg/security/authz/model/model.go {@code New}: {@code ipBlocks} is {@code source.ip},
     * {@code remoteIpBlocks} {@code remote.ip}, {@code principals} {@code source.principal}, {@code requestPrincipals}
     * {@code request.auth.principal}, ...). It holds when the attribute is one of {@code values} (if any) and none of
     * {@code notValues}.
     *
     * @param key       the attribute ("request.headers[x-skip-auth]", "source.ip")
     * @param field     how the stack wrote it ("when", or the from.source field: "ipBlocks")
     * @param pointer   JSON pointer of the entry in the policy's spec ("/rules/0/when/0", "/rules/0/from/0/source/ipBlocks")
     */
    public record Condition(String key, String field, List<String> values, List<String> notValues, String pointer) {
        public Condition {
            values = List.copyOf(values);
            notValues = List.copyOf(notValues);
        }

        /** The attribute in words: "header x-skip-auth", "the source IP". */
        public String subject() {
            if (key.startsWith("request.headers[") && key.endsWith("]")) {
                return "header " + key.substring("request.headers[".length(), key.length() - 1);
            }
            return switch (key) {
                case "source.ip" -> "the source IP";
                case "remote.ip" -> "the client IP (remote.ip)";
                case "source.principal" -> "the peer principal";
                case "source.namespace" -> "the peer namespace";
                case "request.auth.principal" -> "the request principal";
                case "connection.sni" -> "the SNI";
                default -> key;
            };
        }

        /** How the condition fails, in words ("header x-skip-auth is yes"). */
        public String failing() {
            List<String> ways = new ArrayList<>();
            if (!values.isEmpty()) {
                ways.add(subject() + (key.startsWith("request.headers[") || key.startsWith("request.auth.") ? " is absent or"
                        : " is") + " not " + String.join(" or ", values));
            }
            if (!notValues.isEmpty()) {
                ways.add(subject() + " is " + String.join(" or ", notValues));
            }
            return ways.isEmpty() ? subject() + " does not hold" : String.join(" or ", ways);
        }
    }

    /** The {@code from.source} fields and the attributes istiod matches them as (model.go {@code New}). */
    static final List<List<String>> SOURCE_FIELDS = List.of(
            List.of("ipBlocks", "notIpBlocks", "source.ip"),
            List.of("remoteIpBlocks", "notRemoteIpBlocks", "remote.ip"),
            List.of("namespaces", "notNamespaces", "source.namespace"),
            List.of("trustDomains", "notTrustDomains", "source.trustDomain"),
            List.of("serviceAccounts", "notServiceAccounts", "source.serviceAccount"),
            List.of("requestPrincipals", "notRequestPrincipals", "request.auth.principal"),
            List.of("principals", "notPrincipals", "source.principal"));

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
                    && field("ports", "notPorts", v -> Integer.valueOf(port).equals(port(v)));
        }

        /**
         * A {@code ports}/{@code notPorts} value as istiod reads it ({@code convertToPort},
         * pilot/pkg/security/authz/model/util.go: {@code strconv.ParseUint(v, 10, 32)}, at most 65535), so "08080" is
         * port 8080; null for a value it refuses (validation refuses it first: {@code ValidatePorts},
         * pkg/config/security/security.go).
         */
        static Integer port(String v) {
            if (v == null || v.isEmpty() || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            String digits = v.replaceFirst("^0+(?=\\d)", "");
            return digits.length() > 5 || Integer.parseInt(digits) > 65535 ? null : Integer.parseInt(digits);
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
            List<Condition> when = new ArrayList<>();
            for (int k = 0; k < r.path("when").size(); k++) {
                JsonNode c = r.path("when").get(k);
                when.add(new Condition(String.valueOf(Json.text(c, "key")), "when", strings(c.path("values")),
                        strings(c.path("notValues")), "/rules/" + i + "/when/" + k));
            }
            List<List<Condition>> from = new ArrayList<>();
            for (int k = 0; k < r.path("from").size(); k++) {
                JsonNode src = r.path("from").get(k).path("source");
                List<Condition> fields = new ArrayList<>();
                for (List<String> f : SOURCE_FIELDS) {
                    String at = "/rules/" + i + "/from/" + k + "/source/";
                    if (src.path(f.get(0)).size() > 0) {
                        fields.add(new Condition(f.get(2), f.get(0), strings(src.path(f.get(0))), List.of(), at + f.get(0)));
                    }
                    if (src.path(f.get(1)).size() > 0) {
                        fields.add(new Condition(f.get(2), f.get(1), List.of(), strings(src.path(f.get(1))), at + f.get(1)));
                    }
                }
                from.add(fields);
            }
            rules.add(new Rule(ops, !when.isEmpty() || !Rule.fromAnyone(from), "/rules/" + i, when, from));
        }
        JsonNode sel = spec.path("selector").path("matchLabels");
        return new AuthzPolicy(Json.text(object.path("metadata"), "namespace"), Json.text(object.path("metadata"), "name"),
                action == null ? "ALLOW" : action, Json.text(spec.path("provider"), "name"),
                spec.has("selector") ? Json.stringMap(sel) : null, PolicyTarget.of(spec),
                isDryRun(object), rules, ConfigRevision.of(object));
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asString()));
        return out;
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

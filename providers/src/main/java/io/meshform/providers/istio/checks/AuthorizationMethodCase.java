package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.istio.policy.AuthzPolicy;
import io.meshform.providers.istio.policy.StringMatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * An AuthorizationPolicy operation {@code methods}/{@code notMethods} value that is not upper case ({@code get},
 * {@code Delete}). Istio accepts it ({@code ValidateAuthorizationPolicy}, pkg/config/validation/validation.go, only
 * refuses empty values) but matches it against {@code :method} case-sensitively: {@code methodGenerator}
 * (pilot/pkg/security/authz/model/generator.go) builds {@code HeaderMatcher(":method", v)}
 * (pilot/pkg/security/authz/matcher/header.go), an exact, prefix or suffix StringMatcher with {@code ignore_case}
 * false. HTTP methods are case-sensitive and clients send the standard ones upper case (RFC 9110 section 9.1), so
 * {@code methods: ["get"]} matches no request (a DENY on {@code delete} denies nothing, an ALLOW on {@code get} allows
 * nothing) and {@code notMethods: ["get"]} excludes none. Each value is reported where the stack wrote it. Beside a
 * value of the same field that matches the upper-case method ({@code ["delete", "DELETE"]}, {@code "*"}, {@code "P*"}
 * for {@code "post"}), istiod's OR of the values ({@code permissionOr}, pilot/pkg/security/authz/model/model.go) keeps
 * the rule matching those requests, and the warning says only that the value is dead. What it says is about the
 * rule, never the whole policy: another rule may match the same requests.
 */
public final class AuthorizationMethodCase extends MeshCheck {
    AuthorizationMethodCase(Function<CheckContext, PlannedMesh> mesh) {
        super("authorization-method-case", STACK_ONLY, mesh, AuthorizationMethodCase::findings);
    }

    public static List<Diagnostic> findings(PlannedMesh mesh) {
        List<Diagnostic> out = new ArrayList<>();
        for (PlannedObject o : mesh.planned()) {
            if (!"AuthorizationPolicy".equals(o.kind()) || !o.istio()) {
                continue;
            }
            AuthzPolicy p = AuthzPolicy.of(o.object());
            for (AuthzPolicy.Rule r : p.rules()) {
                for (AuthzPolicy.Operation op : r.operations()) {
                    for (String field : List.of("methods", "notMethods")) {
                        List<String> values = op.values(field);
                        for (int i = 0; i < values.size(); i++) {
                            String v = values.get(i);
                            String upper = v.toUpperCase(Locale.ROOT);
                            if (!v.equals(upper)) {
                                out.add(diagnostic(o, p, where(r, op), field, v, upper, covering(values, v, upper),
                                        partly(values, v, upper), op.pointer() + "/" + field + "/" + i));
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * Another value of the same field that matches what {@code v} was meant to ({@code upper}): istiod ORs a field's
     * values ({@code permission}, pilot/pkg/security/authz/model/model.go: one matcher per value in
     * {@code permissionOr}), so beside it {@code v} changes nothing. A wildcard {@code v} ({@code "de*"}) counts as
     * covered only by {@code "*"} or by its own upper-case spelling; null when no value covers it.
     */
    static String covering(List<String> values, String v, String upper) {
        for (String w : values) {
            if (w.equals(v)) {
                continue;
            }
            if (w.equals("*") || w.equals(upper) || !v.contains("*") && StringMatch.method(w).matches(upper)) {
                return w;
            }
        }
        return null;
    }

    /**
     * The part of the policy a statement speaks for: "rule 0", or "operation 1 of rule 0" when the rule has several
     * {@code to} entries, which istiod ORs (model.go {@code New}): another one may match the same requests.
     */
    private static String where(AuthzPolicy.Rule r, AuthzPolicy.Operation op) {
        if (r.operations().size() == 1) {
            return "rule " + r.number();
        }
        String to = op.pointer().substring(0, op.pointer().length() - "/operation".length());
        return "operation " + to.substring(to.lastIndexOf('/') + 1) + " of rule " + r.number();
    }

    /**
     * For a wildcard {@code v} ({@code "de*"}) that no value covers: the other values of the field that match some of
     * the methods it was meant to ({@code "DELETE"} for {@code "DE*"}); the rule still matches those. Empty otherwise.
     */
    static List<String> partly(List<String> values, String v, String upper) {
        if (!v.contains("*") || covering(values, v, upper) != null) {
            return List.of();
        }
        StringMatch meant = StringMatch.method(upper);
        return values.stream().filter(w -> !w.equals(v) && !w.contains("*") && meant.matches(w)).toList();
    }

    private static Diagnostic diagnostic(PlannedObject o, AuthzPolicy p, String where, String field, String v,
                                         String upper, String covering, List<String> partly, String pointer) {
        String requests = upper.contains("*") ? "requests whose method is " + upper.replace("*", "...") : upper + " requests";
        String effect = switch (p.action()) {
            case "DENY" -> "denies";
            case "CUSTOM" -> "sends to the auth proxy";
            case "AUDIT" -> "audits";
            default -> "allows";
        };
        String what;
        if (covering != null) {
            what = "\"" + v + "\" matches no request, but " + where + (field.equals("methods")
                    ? " still matches " + requests + " by \"" + covering + "\""
                    : " still leaves out " + requests + " by \"" + covering + "\"");
        } else if (!partly.isEmpty()) {
            String by = String.join(", ", partly.stream().map(w -> "\"" + w + "\"").toList());
            what = "\"" + v + "\" matches no request: of the " + requests + ", " + where + (field.equals("methods")
                    ? " matches only " : " leaves out only ") + by + " (its other " + field + " values)";
        } else {
            // The rule (or operation), not the policy: another rule of the policy may match these requests.
            what = field.equals("methods")
                    ? where + " never matches " + requests + ", so it " + effect + " none of them"
                    + (p.action().equals("ALLOW") ? " (when no other ALLOW rule matches, they are denied)" : "")
                    : where + " does not leave out " + requests + ": it " + effect + " them as if "
                    + field + " did not name them";
        }
        return Diagnostic.warning(o.decl().address() + ": " + field + " value \"" + v + "\" of " + p.action()
                        + " AuthorizationPolicy " + p.id() + " is not upper case, and Istio matches the HTTP method"
                        + " case-sensitively",
                what + ". Clients send " + upper + "; istioctl validate accepts \"" + v + "\" but istiod matches :method"
                        + " exactly as written (methodGenerator, pilot/pkg/security/authz/model/generator.go)"
                        + (covering != null ? ". Remove \"" + v + "\"" : ". Write \"" + upper + "\""), o.range("/spec" + pointer));
    }

    /** None: it reads only the stack's AuthorizationPolicies. */
    @Override
    public java.util.Set<String> installFields() {
        return java.util.Set.of();
    }
}

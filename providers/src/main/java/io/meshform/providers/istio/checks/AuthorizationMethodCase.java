package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.istio.policy.AuthzPolicy;
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
 * nothing) and {@code notMethods: ["get"]} excludes none. Each value is reported where the stack wrote it.
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
                                out.add(diagnostic(o, p, r, field, v, upper, op.pointer() + "/" + field + "/" + i));
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    private static Diagnostic diagnostic(PlannedObject o, AuthzPolicy p, AuthzPolicy.Rule r, String field, String v,
                                         String upper, String pointer) {
        String requests = upper.contains("*") ? "requests whose method is " + upper.replace("*", "...") : upper + " requests";
        String effect = switch (p.action()) {
            case "DENY" -> "denies";
            case "CUSTOM" -> "sends to the auth proxy";
            case "AUDIT" -> "audits";
            default -> "allows";
        };
        String what = field.equals("methods")
                ? "rule " + r.number() + " never matches " + requests + ", so the policy " + effect + " none of them"
                + (p.action().equals("ALLOW") ? " (when no other ALLOW rule matches, they are denied)" : "")
                : "rule " + r.number() + " does not leave out " + requests + ": the policy " + effect + " them as if "
                + field + " did not name them";
        return Diagnostic.warning(o.decl().address() + ": " + field + " value \"" + v + "\" of " + p.action()
                        + " AuthorizationPolicy " + p.id() + " is not upper case, and Istio matches the HTTP method"
                        + " case-sensitively",
                what + ". Clients send " + upper + "; istioctl validate accepts \"" + v + "\" but istiod matches :method"
                        + " exactly as written (methodGenerator, pilot/pkg/security/authz/model/generator.go). Write \""
                        + upper + "\"", o.range("/spec" + pointer));
    }

    /** None: it reads only the stack's AuthorizationPolicies. */
    @Override
    public java.util.Set<String> installFields() {
        return java.util.Set.of();
    }
}

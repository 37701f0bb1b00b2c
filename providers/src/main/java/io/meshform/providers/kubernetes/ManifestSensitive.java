package io.meshform.providers.kubernetes;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.plan.Sensitive;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What of a {@code kubernetes.manifest} is sensitive: a Secret's {@code data} and {@code stringData}, and in a kind
 * another provider types, what that provider masks in its typed resource (a RequestAuthentication's {@code jwks}).
 * These values are masked in plans, digested in state and compared by digest in drift, and taken out of the API
 * server's errors, which may echo the object they were sent.
 */
final class ManifestSensitive {
    /** A Secret's values (paths in a manifest resource's spec). */
    static final Set<String> SECRET_PATHS = Set.of("/manifest/data/*", "/manifest/stringData/*");

    private final ObjectRules rules;

    ManifestSensitive(ObjectRules rules) {
        this.rules = rules;
    }

    static boolean isSecret(JsonNode m) {
        return m != null && "Secret".equals(Json.text(m, "kind")) && "v1".equals(Json.text(m, "apiVersion"));
    }

    /** The sensitive paths of a manifest resource's spec (or live value): they depend on its kind. */
    Set<String> paths(JsonNode value) {
        if (value == null || !(value.get("manifest") instanceof ObjectNode m)) {
            return Set.of();
        }
        if (isSecret(m)) {
            return SECRET_PATHS;
        }
        return Set.copyOf(rules.sensitivePaths(Json.text(m, "apiVersion"), Json.text(m, "kind")).stream()
                .map(p -> "/manifest" + p).toList());
    }

    /** {@code text} without any sensitive value of the object {@code m}. */
    String scrub(ObjectNode m, String text) {
        ObjectNode wrapper = Json.object();
        wrapper.set("manifest", m);
        Set<String> paths = paths(wrapper);
        return paths.isEmpty() ? text : Sensitive.redact(text, Sensitive.secrets(wrapper, paths));
    }

    /** The API server's error, with the object's sensitive values taken out. */
    DiagnosticsException scrub(ObjectNode m, DiagnosticsException error) {
        ObjectNode wrapper = Json.object();
        wrapper.set("manifest", m);
        if (paths(wrapper).isEmpty()) {
            return error;
        }
        Diagnostic first = error.diagnostics().get(0);
        return new DiagnosticsException(new Diagnostic(first.severity(), scrub(m, first.summary()), scrub(m, first.detail()),
                first.range()));
    }
}

package io.meshform.providers.kubernetes;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.plan.Sensitive;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What of a {@code kubernetes.manifest} is sensitive: a Secret's {@code data}, {@code stringData} and annotation
 * values, in a kind another provider types what that provider masks in its typed resource (a RequestAuthentication's
 * {@code jwks}), and in every kind the {@value #LAST_APPLIED} annotation, a copy of the whole object as {@code kubectl
 * apply} last sent it (a Secret's data in clear). These values are masked in plans, digested in state and compared by
 * digest in drift, and taken out of the API server's errors, which may echo the object they were sent.
 */
public final class ManifestSensitive {
    /** {@code kubectl apply}'s record of the object it applied: the whole object, a Secret's data included. */
    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
    /** {@link #LAST_APPLIED} as a sensitive path of a metadata annotations map (JSON Pointer: "/" written "~1"). */
    static final String LAST_APPLIED_KEY = "kubectl.kubernetes.io~1last-applied-configuration";
    /** The last-applied annotation in a manifest resource's spec, sensitive in every kind. */
    static final String LAST_APPLIED_PATH = "/manifest/metadata/annotations/" + LAST_APPLIED_KEY;
    /**
     * A Secret's values (paths in a manifest resource's spec): its data, and its annotations, which may hold the same
     * data (the last-applied copy of the object, or a tool's own copy of a token); their keys stay visible.
     */
    static final String SECRET_ANNOTATIONS = "/manifest/metadata/annotations/*";
    static final Set<String> SECRET_PATHS = Set.of("/manifest/data/*", "/manifest/stringData/*", SECRET_ANNOTATIONS);

    private final ObjectRules rules;

    ManifestSensitive(ObjectRules rules) {
        this.rules = rules;
    }

    static boolean isSecret(JsonNode m) {
        return m != null && "Secret".equals(Json.text(m, "kind")) && "v1".equals(Json.text(m, "apiVersion"));
    }

    /** The sensitive paths of a manifest resource's spec (or live value): they depend on its kind, and its wait. */
    Set<String> paths(JsonNode value) {
        return withWait(value, kindPaths(value));
    }

    private Set<String> kindPaths(JsonNode value) {
        if (value == null || !(value.get("manifest") instanceof ObjectNode m)) {
            return Set.of();
        }
        if (isSecret(m)) {
            return SECRET_PATHS;
        }
        Set<String> out = new java.util.TreeSet<>();
        rules.sensitivePaths(Json.text(m, "apiVersion"), Json.text(m, "kind")).forEach(p -> out.add("/manifest" + p));
        out.add(LAST_APPLIED_PATH);
        return Set.copyOf(out);
    }

    /**
     * The sensitive paths of a manifest resource's spec that hold a secret itself: all of {@link #paths} but a
     * Secret's annotations, sensitive only because they may hold a copy of its data.
     */
    Set<String> secretValuePaths(JsonNode value) {
        Set<String> out = new java.util.TreeSet<>(kindPaths(value));
        out.remove(SECRET_ANNOTATIONS);
        return withWait(value, out);
    }

    /** Where a manifest's {@code wait} keeps the value it waits for. */
    static final String WAIT_VALUE = "/wait/value";

    /**
     * {@code paths}, and the wait's {@code value} when its {@code field} is one of them: a wait for a Secret's
     * {@code data.password} names the password (base64) it waits for. It was masked in the plan, as a copy of the
     * data found in the text, but recorded in clear in the state, which records by path.
     */
    private static Set<String> withWait(JsonNode value, Set<String> paths) {
        String field = value == null ? null : Json.text(value.path("wait"), "field");
        if (field == null || paths.isEmpty()) {
            return paths;
        }
        StringBuilder pointer = new StringBuilder("/manifest");
        for (String part : field.split("\\.", -1)) {
            pointer.append('/').append(part.replace("~", "~0").replace("/", "~1"));
        }
        String at = pointer.toString();
        if (paths.stream().noneMatch(p -> matches(p, at))) {
            return paths;
        }
        Set<String> out = new java.util.TreeSet<>(paths);
        out.add(WAIT_VALUE);
        return Set.copyOf(out);
    }

    /** Whether JSON Pointer {@code at} is one {@code pattern} names ({@code *}: any one key). */
    private static boolean matches(String pattern, String at) {
        String[] p = pattern.split("/", -1);
        String[] a = at.split("/", -1);
        if (p.length != a.length) {
            return false;
        }
        for (int i = 0; i < p.length; i++) {
            if (!p[i].equals("*") && !p[i].equals(a[i])) {
                return false;
            }
        }
        return true;
    }

    /**
     * The sensitive paths of an object itself (JSON Pointer patterns from its root, e.g. {@code /data/*} of a Secret),
     * for another provider that shows whole objects the way a manifest is shown (Istio's addons). Kinds only another
     * provider types (Istio's) are not covered: such a provider masks those itself.
     */
    public static Set<String> objectPaths(JsonNode object) {
        ObjectNode wrapper = Json.object();
        wrapper.set("manifest", object);
        Set<String> out = new java.util.TreeSet<>();
        new ManifestSensitive(ObjectRules.NONE).paths(wrapper).forEach(p -> out.add(p.substring("/manifest".length())));
        return out;
    }

    /** {@code text} without any sensitive value of the object {@code m}. */
    String scrub(ObjectNode m, String text) {
        ObjectNode wrapper = Json.object();
        wrapper.set("manifest", m);
        return Sensitive.redact(text, Sensitive.secrets(wrapper, paths(wrapper)));
    }

    /** The API server's error, with the object's sensitive values taken out. */
    DiagnosticsException scrub(ObjectNode m, DiagnosticsException error) {
        ObjectNode wrapper = Json.object();
        wrapper.set("manifest", m);
        if (Sensitive.secrets(wrapper, paths(wrapper)).isEmpty()) {
            return error;
        }
        Diagnostic first = error.diagnostics().get(0);
        return new DiagnosticsException(new Diagnostic(first.severity(), scrub(m, first.summary()), scrub(m, first.detail()),
                first.range()));
    }
}

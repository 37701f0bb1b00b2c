package io.meshform.providers.kubernetes;

import io.meshform.engine.diag.Suggestions;
import io.meshform.engine.plan.Sensitive;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * What can be known about one Kubernetes object without a cluster: it is a mapping with {@code apiVersion}, {@code kind}
 * and {@code metadata.name}; a kind of a known API group is one that group serves, with only the top-level fields it
 * allows (the API server's strict field validation would refuse the others at apply); a Secret's {@code data} is
 * base64; Istio's kinds pass the rules of the typed Istio resources ({@link ObjectRules}). Kinds of other groups are
 * left to {@link ManifestKindsCheck}, which looks for a CustomResourceDefinition in the stack.
 */
public final class ManifestChecks {
    /** ObjectMeta fields a manifest may set; the server-set ones are dropped with a warning. */
    static final List<String> METADATA_FIELDS = List.of("name", "namespace", "labels", "annotations", "finalizers",
            "ownerReferences", "generateName");
    static final List<String> SERVER_METADATA = List.of("resourceVersion", "uid", "managedFields", "creationTimestamp",
            "generation", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds");

    private final KnownKinds kinds;
    private final ObjectRules rules;

    public ManifestChecks(KnownKinds kinds, ObjectRules rules) {
        this.kinds = kinds;
        this.rules = rules;
    }

    /** Checks {@code m}, reporting at paths under {@code at} (e.g. /manifest). */
    public void check(JsonNode m, String at, SpecChecker c) {
        if (!c.object(m, at, "the object")) {
            return;
        }
        String apiVersion = c.string(m, at, "apiVersion", true);
        String kind = c.string(m, at, "kind", true);
        JsonNode md = m.get("metadata");
        if (md == null || !md.isObject()) {
            c.error(at + "/metadata", "missing `metadata` with at least a name");
        } else {
            String mdAt = at + "/metadata";
            List<String> allowed = new java.util.ArrayList<>(METADATA_FIELDS);
            allowed.addAll(SERVER_METADATA);
            c.knownKeys(md, mdAt, "metadata", allowed);
            if (md.has("generateName") && !md.has("name")) {
                c.error(mdAt + "/generateName", "`generateName` cannot be applied: meshform needs a fixed `name`"
                        + " to find the object again");
            } else {
                c.dnsSubdomain(c.string(md, mdAt, "name", true), mdAt + "/name", "name");
            }
            c.dnsLabel(c.string(md, mdAt, "namespace", false), mdAt + "/namespace", "namespace");
            c.labelMap(md, mdAt, "labels", true);
            c.labelMap(md, mdAt, "annotations", false);
            for (String server : SERVER_METADATA) {
                if (md.has(server)) {
                    c.warning(mdAt + "/" + server, "`" + server + "` is set by the server; meshform drops it", null);
                }
            }
        }
        if (apiVersion == null || kind == null) {
            return;
        }
        Optional<KnownKinds.Kind> known = kinds.find(apiVersion, kind);
        if (known.isEmpty()) {
            if (kinds.knowsGroup(apiVersion)) {
                List<String> versions = kinds.versionsOf(kind);
                c.error(at + "/kind", "`" + apiVersion + "` serves no kind `" + kind + "`",
                        versions.isEmpty() ? Suggestions.hint(kind, kinds.kindsInGroup(apiVersion))
                                : kind + " is served as apiVersion " + String.join(" or ", versions));
            }
            // another group: a CustomResourceDefinition in the stack must declare it (ManifestKindsCheck)
        } else {
            KnownKinds.Kind k = known.get();
            c.knownKeys(m, at, "a " + kind, k.fields());
            if (!k.namespaced() && md != null && md.has("namespace")) {
                c.error(at + "/metadata/namespace", kind + " is cluster-scoped: it has no namespace",
                        "remove metadata.namespace");
            }
            if (k.namespaced() && md != null && md.isObject() && !md.has("namespace")) {
                c.error(at + "/metadata", NamespaceRequired.summary(kind), NamespaceRequired.HINT);
            }
        }
        if ("v1".equals(apiVersion) && "Secret".equals(kind)) {
            secretData(m, at, c);
        }
        SpecChecker own = new SpecChecker();
        if (rules.check(apiVersion, kind, m, own)) {
            c.addAll(at, own.problems());
        }
    }

    /**
     * {@code data} values are base64 (the API server refuses anything else); {@code stringData} values are strings. A
     * data value whose decoded text is 1 to 3 characters is refused as a {@code stringData} value that short is
     * ({@code UnmaskableLiterals} in the stack loader): {@link Sensitive#secrets} masks a base64 value's decoded text
     * in free text, and drops a form shorter than {@value Sensitive#MIN_REDACTED_LENGTH} characters, so that text would
     * be printed wherever a message quoted it. The check is here, not in the loader, because only this provider knows
     * that a Secret's data is base64; it holds for a value given by a sensitive variable too (the variable's own check
     * sees the base64 text, which is long enough).
     */
    private static void secretData(JsonNode m, String at, SpecChecker c) {
        JsonNode data = m.get("data");
        if (data != null && !data.isNull() && c.object(data, at + "/data", "`data`")) {
            for (Map.Entry<String, JsonNode> e : data.properties()) {
                String where = SpecChecker.child(at + "/data", e.getKey());
                if (!e.getValue().isString()) {
                    c.error(where, "a Secret's data value must be a base64 string", "put plain text under stringData");
                    continue;
                }
                String decoded;
                try {
                    decoded = new String(Base64.getDecoder().decode(e.getValue().asString()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException notBase64) {
                    // The value is not repeated: it is a secret.
                    c.error(where, "data `" + e.getKey() + "` is not base64", "put plain text under stringData, or encode it");
                    continue;
                }
                if (!decoded.isEmpty() && !Sensitive.maskableInText(decoded)) {
                    // Neither the value nor its length is repeated.
                    c.error(where, "data `" + e.getKey() + "` decodes to a sensitive value shorter than "
                                    + Sensitive.MIN_REDACTED_LENGTH + " characters, which meshform cannot keep out of its"
                                    + " messages",
                            "meshform masks a Secret's data value in free text (an API server's or istioctl's message)"
                                    + " by finding its text there, the decoded text as well as the base64, and a text this"
                                    + " short is found inside other words, so it could be printed: give a value whose"
                                    + " decoded text has at least " + Sensitive.MIN_REDACTED_LENGTH + " characters");
                }
            }
        }
        JsonNode stringData = m.get("stringData");
        if (stringData != null && !stringData.isNull() && c.object(stringData, at + "/stringData", "`stringData`")) {
            for (Map.Entry<String, JsonNode> e : stringData.properties()) {
                if (!e.getValue().isString()) {
                    c.error(SpecChecker.child(at + "/stringData", e.getKey()), "a Secret's stringData value must be a string",
                            "quote it");
                }
            }
        }
    }
}

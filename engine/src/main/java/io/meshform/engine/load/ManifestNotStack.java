package io.meshform.engine.load;

import tools.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * Recognises a Kubernetes manifest given where a stack was expected (`validate -f examples/drift-cronjob.yaml`): its
 * first document names a Kubernetes object's apiVersion and kind. Said once, in those words, instead of the
 * problems a stack reader finds in it (a second YAML document, a foreign apiVersion, an unknown kind), which send
 * the reader to fix a file that was never meant to be a stack.
 */
final class ManifestNotStack {
    static final String SUMMARY_START = "this is a Kubernetes manifest (";

    private ManifestNotStack() {
    }

    /** The error's summary for this document, or empty when it is not a Kubernetes object (or is a stack). */
    static Optional<String> summary(JsonNode root) {
        if (root == null || !root.isObject()) {
            return Optional.empty();
        }
        JsonNode apiVersion = root.get("apiVersion");
        JsonNode kind = root.get("kind");
        if (apiVersion == null || !apiVersion.isString() || kind == null || !kind.isString()
                || apiVersion.asString().startsWith("meshform.io/") || kind.asString().isEmpty()
                || "Stack".equals(kind.asString())) {
            return Optional.empty();
        }
        JsonNode metadata = root.path("metadata");
        String namespace = metadata.path("namespace").asString("");
        String name = metadata.path("name").asString("");
        String object = kind.asString() + (name.isEmpty() ? "" : " " + (namespace.isEmpty() ? "" : namespace + "/") + name);
        return Optional.of(SUMMARY_START + object + ", apiVersion " + apiVersion.asString() + "), not a meshform stack");
    }

    /**
     * What to do instead. A manifest's {@code file:} holds one object (docs/resource-types.md), so a file of several
     * is not named as one.
     */
    static String hint(String file) {
        return "a stack starts with `apiVersion: meshform.io/v1alpha1` and `kind: Stack`; to apply Kubernetes objects"
                + " with meshform, declare each in a stack as a `kubernetes.manifest` resource (inline `manifest:`, or"
                + " `file:` naming a file of one object), or apply " + file + " with kubectl";
    }
}

package io.meshform.engine.load;

import io.meshform.engine.diag.Diagnostics;
import io.meshform.engine.diag.Suggestions;
import io.meshform.engine.diag.ValueDescription;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/** Strict checks of one mapping in the file: unknown keys (with a suggestion), missing and mistyped keys. */
final class ObjectShape {
    private final YamlDocument doc;
    private final Diagnostics out;

    ObjectShape(YamlDocument doc, Diagnostics out) {
        this.doc = doc;
        this.out = out;
    }

    /** Returns false (and reports) when {@code node} is not a mapping. */
    boolean isObject(JsonNode node, String pointer, String what) {
        if (node != null && node.isObject()) {
            return true;
        }
        // The root of a file that is no stack (an import naming a token file) is described, never quoted.
        out.error(what + " must be a mapping", "found " + (pointer.isEmpty() ? ValueDescription.kindOf(node) : describe(node)),
                doc.rangeOf(pointer));
        return false;
    }

    void knownKeys(JsonNode node, String pointer, String where, Set<String> allowed) {
        knownKeys(node, pointer, where, allowed, key -> java.util.Optional.empty());
    }

    /** As above; {@code hint} gives a better hint than "did you mean" for an unknown key, where it has one. */
    void knownKeys(JsonNode node, String pointer, String where, Set<String> allowed,
                   java.util.function.Function<String, java.util.Optional<String>> hint) {
        for (String key : node.propertyNames()) {
            if (!allowed.contains(key)) {
                out.error("unknown field `" + io.meshform.engine.diag.Quote.shortened(key) + "` in " + where,
                        hint.apply(key).orElseGet(() -> Suggestions.hint(key, allowed)),
                        doc.rangeOf(pointer + "/" + YamlReader.escape(key)));
            }
        }
    }

    boolean required(JsonNode node, String pointer, String key, String where) {
        if (node.has(key) && !node.get(key).isNull()) {
            return true;
        }
        out.error("missing required field `" + key + "` in " + where, null, doc.rangeOf(pointer));
        return false;
    }

    /** The text of a string field, or null after reporting that it is not a string. */
    String string(JsonNode node, String pointer, String key) {
        JsonNode v = node.get(key);
        if (v == null) {
            return null;
        }
        if (!v.isString()) {
            out.error("`" + key + "` must be a string", "found " + describe(v) + "; quote the value",
                    doc.rangeOf(pointer + "/" + key));
            return null;
        }
        return v.asString();
    }

    static String describe(JsonNode node) {
        return ValueDescription.of(node);
    }
}

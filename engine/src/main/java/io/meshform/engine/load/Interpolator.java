package io.meshform.engine.load;

import io.meshform.engine.diag.Diagnostics;
import io.meshform.engine.diag.Suggestions;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Substitutes {@code ${var.name}} in string values. A string that is exactly one reference takes the
 * variable's typed value (so {@code enabled: "${var.tracing}"} becomes a boolean); otherwise the value is
 * spliced into the text. {@code $${} writes a literal {@code ${}. Each value that took a {@code sensitive}
 * variable's value, whole or spliced, is remembered by its pointer ({@link #takeSensitivePointers}), so the value at that
 * place is masked in every plan and drift and digested in state, whatever value it held before or holds live.
 */
final class Interpolator {
    private static final Pattern REF = Pattern.compile("\\$\\$\\{|\\$\\{([^}]*)}");
    private static final Pattern WHOLE = Pattern.compile("\\$\\{\\s*var\\.([A-Za-z_][A-Za-z0-9_]*)\\s*}");
    private static final Pattern VAR = Pattern.compile("\\s*var\\.([A-Za-z_][A-Za-z0-9_]*)\\s*");

    private final Map<String, JsonNode> values;
    /** Every declared name, with a value or not: one without (its error already reported) is not "undefined". */
    private final Set<String> declared;
    private final Set<String> used;
    private final Diagnostics out;
    private final Set<String> sensitive;
    private final Set<String> sensitivePointers = new java.util.TreeSet<>();
    /** References left in place because of a reported problem: their values are still the text {@code ${...}}. */
    private int unresolved;
    /**
     * Declared variables with no value in this load that are unknown rather than an error ({@link StackLoader#loadWithoutValues}):
     * a value that refers to one is left as written, and its place is remembered ({@link #takeUnknownPointers}).
     */
    private final Set<String> unknown;
    /** The pointer of each value left as written because it refers to an unknown variable, and those variables. */
    private final Map<String, Set<String>> unknownPointers = new java.util.TreeMap<>();

    Interpolator(Map<String, JsonNode> values, Set<String> declared, Set<String> used, Diagnostics out) {
        this(values, declared, Set.of(), used, out);
    }

    Interpolator(Map<String, JsonNode> values, Set<String> declared, Set<String> sensitive, Set<String> used,
                 Diagnostics out) {
        this(values, declared, sensitive, Set.of(), used, out);
    }

    Interpolator(Map<String, JsonNode> values, Set<String> declared, Set<String> sensitive, Set<String> unknown,
                 Set<String> used, Diagnostics out) {
        this.unknown = Set.copyOf(unknown);
        this.sensitive = sensitive;
        this.values = values;
        this.declared = declared;
        this.used = used;
        this.out = out;
    }

    /** Returns {@code node} itself when nothing in it refers to a variable, so most of a stack is not copied. */
    JsonNode resolve(JsonNode node, YamlDocument doc, String pointer) {
        return resolve(node, doc, new At(null, pointer, -1));
    }

    /**
     * Where a node is, as a JSON pointer made only when a diagnostic needs it: building one string per node of the
     * stack was 8 of the load's 168 samples at N=1,000 (BENCHMARKS.md, evening session: n1000).
     */
    private record At(At parent, String key, int index) {
        @Override
        public String toString() {
            String self = key == null ? String.valueOf(index) : parent == null ? key : YamlReader.escape(key);
            return parent == null ? self : parent + "/" + self;
        }
    }

    private JsonNode resolve(JsonNode node, YamlDocument doc, At at) {
        if (node.isObject()) {
            ObjectNode copy = null;
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                refuseInKey(e.getKey(), doc, new At(at, e.getKey(), -1));
                JsonNode v = resolve(e.getValue(), doc, new At(at, e.getKey(), -1));
                if (v != e.getValue() && copy == null) {
                    copy = (ObjectNode) node.deepCopy();
                }
                if (copy != null) {
                    copy.set(e.getKey(), v);
                }
            }
            return copy == null ? node : copy;
        }
        if (node.isArray()) {
            ArrayNode copy = null;
            for (int i = 0; i < node.size(); i++) {
                JsonNode v = resolve(node.get(i), doc, new At(at, null, i));
                if (v != node.get(i) && copy == null) {
                    copy = (ArrayNode) node.deepCopy();
                }
                if (copy != null) {
                    copy.set(i, v);
                }
            }
            return copy == null ? node : copy;
        }
        if (!node.isString() || !node.asString().contains("${")) {
            return node;
        }
        String pointer = at.toString();
        String text = node.asString();
        Matcher whole = WHOLE.matcher(text);
        if (whole.matches()) {
            if (isUnknown(whole.group(1), pointer)) {
                markIfSensitive(whole.group(1), pointer);
                return node;
            }
            JsonNode v = lookup(whole.group(1), doc, pointer);
            if (v == null) {
                noValue(whole.group(1), pointer);
                return node;
            }
            markIfSensitive(whole.group(1), pointer);
            return v;
        }
        Matcher m = REF.matcher(text);
        StringBuilder sb = new StringBuilder();
        boolean leftAsWritten = false;
        while (m.find()) {
            if (m.group().equals("$${")) {
                m.appendReplacement(sb, Matcher.quoteReplacement("${"));
                continue;
            }
            Matcher var = VAR.matcher(m.group(1));
            if (!var.matches()) {
                out.error("unsupported expression `" + m.group() + "`",
                        "only variable references are supported: ${var.NAME}; write $${ for a literal ${",
                        doc.rangeOf(pointer));
                unresolved++;
                return node;
            }
            if (isUnknown(var.group(1), pointer)) {
                // The rest of the text is still read (its other references checked); the value stays as written.
                markIfSensitive(var.group(1), pointer);
                leftAsWritten = true;
                continue;
            }
            JsonNode v = lookup(var.group(1), doc, pointer);
            if (v == null) {
                // Its error is reported; the rest of the text is still read, so its other references are checked too.
                noValue(var.group(1), pointer);
                leftAsWritten = true;
                continue;
            }
            if (v.isContainer()) {
                out.error("variable `" + var.group(1) + "` is a " + (v.isObject() ? "mapping" : "list")
                        + " and cannot be part of a string", "use it as the whole value: \"${var." + var.group(1) + "}\"",
                        doc.rangeOf(pointer));
                unresolved++;
                return node;
            }
            markIfSensitive(var.group(1), pointer);
            m.appendReplacement(sb, Matcher.quoteReplacement(v.isString() ? v.asString() : v.toString()));
        }
        m.appendTail(sb);
        return leftAsWritten ? node : JsonNodeFactory.instance.stringNode(sb.toString());
    }

    /**
     * A mapping's keys are read as written, in every place (labels, annotations, a ConfigMap's data), by this one rule:
     * a variable gives values, not keys. Left alone, the text {@code ${var.k}} reached the type's check as the key and
     * was reported as an "invalid label key" (or annotation key), which did not say why, and a ConfigMap's data key
     * passed validate. The error is at the key, names the reference (never a value) and counts its variables as used,
     * so no "declared but never used" warning follows. Label, annotation and data keys allow none of the characters $, {
     * and } anyway.
     */
    private void refuseInKey(String key, YamlDocument doc, At at) {
        if (!key.contains("${")) {
            return;
        }
        Matcher m = REF.matcher(key);
        while (m.find()) {
            if (m.group().equals("$${")) {
                continue;
            }
            Matcher var = VAR.matcher(m.group(1));
            if (var.matches()) {
                used.add(var.group(1));
            }
            out.error("`" + m.group() + "` in the key `" + key + "`: a key takes no variables (its value does)",
                    "write the key itself, as the cluster is to hold it; a variable may give the value"
                            + " (`owner: \"${var.owner}\"`)",
                    doc.rangeOf(at.toString()));
            unresolved++;
            return;
        }
    }

    /**
     * The document pointers, under {@code prefix}, of the values that took a sensitive variable's value since the last
     * call, relative to {@code prefix} (a resource's spec pointer gives pointers into its spec). Taken once per resource:
     * a resource of the stack file and one of an imported file have the same pointer in their own documents
     * ({@code /resources/0/spec/value}), and the importer's plain value there was masked and digested as the imported
     * one's sensitive value.
     */
    Set<String> takeSensitivePointers(String prefix) {
        Set<String> out = new java.util.TreeSet<>();
        for (String p : sensitivePointers) {
            if (p.startsWith(prefix + "/")) {
                out.add(p.substring(prefix.length()));
            }
        }
        sensitivePointers.clear();
        return out;
    }

    private void markIfSensitive(String name, String pointer) {
        if (sensitive.contains(name)) {
            sensitivePointers.add(pointer);
        }
    }

    /** True (and the place remembered) when {@code name} is a declared variable whose value is unknown in this load. */
    private boolean isUnknown(String name, String pointer) {
        if (!unknown.contains(name)) {
            return false;
        }
        used.add(name);
        unknownPointers.computeIfAbsent(pointer, p -> new java.util.TreeSet<>()).add(name);
        return true;
    }

    /**
     * A reference that has no value because of an error already reported (an undefined variable, or a declared one given
     * none): its value is unknown, as in a load without values, so the resource's spec is still checked with that value
     * left out. Marking the whole resource unreadable hid every other error in its spec (a misspelt field beside
     * {@code ${var.nss}} was reported only once the reference was fixed), against "every error in the file is reported
     * at once" (docs/stack-file.md), and unlike {@code terraform validate}, which reports both.
     */
    private void noValue(String name, String pointer) {
        unknownPointers.computeIfAbsent(pointer, p -> new java.util.TreeSet<>()).add(name);
    }

    /**
     * The values under {@code prefix} left as written because they refer to unknown variables since the last call, each
     * pointer relative to {@code prefix}, with the variables it refers to. Taken once per resource: two files' resources
     * may have the same pointer in their own documents.
     */
    Map<String, Set<String>> takeUnknownPointers(String prefix) {
        Map<String, Set<String>> out = new java.util.TreeMap<>();
        unknownPointers.forEach((p, names) -> {
            if (p.startsWith(prefix + "/")) {
                out.put(p.substring(prefix.length()), Set.copyOf(names));
            }
        });
        unknownPointers.clear();
        return out;
    }

    /** How many references were left in place so far, each with its error reported. */
    int unresolved() {
        return unresolved;
    }

    private JsonNode lookup(String name, YamlDocument doc, String pointer) {
        used.add(name);
        JsonNode v = values.get(name);
        if (v == null && !declared.contains(name)) {
            out.error("undefined variable `" + name + "`",
                    declared.isEmpty() ? "declare it under `variables:`" : Suggestions.hint(name, declared)
                            + " (declare new variables under `variables:`)",
                    doc.rangeOf(pointer));
        }
        return v;
    }
}

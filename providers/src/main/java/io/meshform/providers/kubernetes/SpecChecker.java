package io.meshform.providers.kubernetes;

import io.meshform.engine.diag.Suggestions;
import io.meshform.engine.spi.FieldProblem;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import io.meshform.engine.diag.ValueDescription;
import tools.jackson.databind.JsonNode;

/** Collects {@link FieldProblem}s while walking a spec; paths are JSON Pointers relative to the spec. */
public final class SpecChecker {
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern LABEL_NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");

    private final List<FieldProblem> problems = new ArrayList<>();

    public List<FieldProblem> problems() {
        return List.copyOf(problems);
    }

    public boolean ok() {
        return problems.stream().allMatch(FieldProblem::warning);
    }

    public void error(String path, String message) {
        problems.add(FieldProblem.error(path, message));
    }

    public void error(String path, String message, String hint) {
        problems.add(FieldProblem.error(path, message, hint));
    }

    /** An error shown at the value rather than at its key (see {@link FieldProblem#atValue}). */
    public void errorAtValue(String path, String message, String hint) {
        problems.add(FieldProblem.errorAtValue(path, message, hint));
    }

    public void warning(String path, String message, String hint) {
        problems.add(FieldProblem.warning(path, message, hint));
    }

    /** Another checker's problems, their paths under {@code prefix} (a manifest's object lives at /manifest). */
    public void addAll(String prefix, List<FieldProblem> more) {
        for (FieldProblem p : more) {
            problems.add(new FieldProblem(prefix + p.path(), p.message(), p.hint(), p.warning(), p.atValue()));
        }
    }

    public static String child(String path, String key) {
        return path + "/" + Json.escape(key);
    }

    /** False (and an error) when the node is not a mapping. */
    public boolean object(JsonNode node, String path, String what) {
        if (node != null && node.isObject()) {
            return true;
        }
        error(path, what + " must be a mapping", "found " + describe(node));
        return false;
    }

    /**
     * The start of every type's validation: the spec must be a mapping of known fields. Returns false (having
     * reported it) when the spec is not a mapping, so the caller stops there.
     */
    public boolean spec(JsonNode spec, String typeName, Collection<String> fields) {
        if (!object(spec, "", "the spec of " + typeName)) {
            return false;
        }
        knownKeys(spec, "", typeName, fields);
        return true;
    }

    /**
     * An error for each key of {@code node} not in {@code allowed}, unless an earlier rule already said what is wrong
     * with that field (Istio's schema says a proto name such as {@code match_labels} before a kind's own rules run):
     * one error per field.
     */
    public void knownKeys(JsonNode node, String path, String where, Collection<String> allowed) {
        if (node == null || !node.isObject()) {
            return;
        }
        for (String key : node.propertyNames()) {
            String at = child(path, key);
            if (!allowed.contains(key) && problems.stream().noneMatch(p -> p.path().equals(at) && !p.warning())) {
                error(at, "unknown field `" + key + "` in " + where, Suggestions.hint(key, allowed));
            }
        }
    }

    /** The string at {@code key}, or null (with an error when required or mistyped). */
    public String string(JsonNode parent, String path, String key, boolean required) {
        JsonNode v = parent == null ? null : parent.get(key);
        if (v == null || v.isNull()) {
            if (required) {
                error(child(path, key), "missing required field `" + key + "`");
            }
            return null;
        }
        if (!v.isString()) {
            error(child(path, key), "`" + key + "` must be a string", "found " + describe(v) + "; quote the value");
            return null;
        }
        if (required && v.asString().isBlank()) {
            error(child(path, key), "`" + key + "` must not be empty");
            return null;
        }
        return v.asString();
    }

    public Boolean bool(JsonNode parent, String path, String key) {
        JsonNode v = parent == null ? null : parent.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            error(child(path, key), "`" + key + "` must be true or false", "found " + describe(v));
            return null;
        }
        return v.booleanValue();
    }

    /** A value from a fixed set; case mistakes get a suggestion. */
    public String oneOf(JsonNode parent, String path, String key, boolean required, List<String> allowed) {
        String v = string(parent, path, key, required);
        if (v != null && !allowed.contains(v)) {
            error(child(path, key), "`" + key + "` must be one of " + String.join(", ", allowed) + ", not \"" + v + "\"",
                    Suggestions.hint(v, allowed));
            return null;
        }
        return v;
    }

    public void dnsLabel(String value, String path, String what) {
        if (value != null && (value.length() > 63 || !DNS_LABEL.matcher(value).matches())) {
            error(path, what + " \"" + value + "\" is not a valid DNS label",
                    "use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit");
        }
    }

    public void dnsSubdomain(String value, String path, String what) {
        if (value != null && (value.length() > 253 || !DNS_SUBDOMAIN.matcher(value).matches())) {
            error(path, what + " \"" + value + "\" is not a valid Kubernetes name",
                    "use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit");
        }
    }

    /** A label (or annotation) map: keys are qualified names; label values at most 63 characters. */
    public void labelMap(JsonNode parent, String path, String key, boolean labels) {
        JsonNode map = parent == null ? null : parent.get(key);
        if (map == null || map.isNull()) {
            return;
        }
        String at = child(path, key);
        if (!object(map, at, "`" + key + "`")) {
            return;
        }
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            String k = e.getKey();
            String kp = child(at, k);
            if (!validQualifiedName(k)) {
                error(kp, "invalid " + (labels ? "label" : "annotation") + " key \"" + k + "\"",
                        "a key is [prefix/]name: prefix a DNS subdomain, name at most 63 letters, digits, '-', '_', '.'");
            }
            JsonNode v = e.getValue();
            if (!v.isString()) {
                error(kp, "the value of " + (labels ? "label" : "annotation") + " `" + k + "` must be a string",
                        "found " + describe(v) + "; quote it, e.g. \"" + (v.isValueNode() ? v.asString() : "...") + "\"");
                continue;
            }
            if (labels && (v.asString().length() > 63 || !LABEL_VALUE.matcher(v.asString()).matches())) {
                error(kp, "invalid value \"" + v.asString() + "\" for label `" + k + "`",
                        "a label value is empty or at most 63 letters, digits, '-', '_', '.', starting and ending alphanumeric");
            }
        }
    }

    public static boolean validQualifiedName(String key) {
        String name = key;
        int slash = key.indexOf('/');
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            name = key.substring(slash + 1);
            if (prefix.isEmpty() || prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
                return false;
            }
        }
        return !name.isEmpty() && name.length() <= 63 && LABEL_NAME.matcher(name).matches();
    }

    public static String describe(JsonNode node) {
        return ValueDescription.of(node);
    }
}

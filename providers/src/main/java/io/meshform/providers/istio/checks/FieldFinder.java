package io.meshform.providers.istio.checks;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Finds the field of an object that one of Istio's messages is about, so the message lands on the line that wrote
 * it. Istio's validation names no JSON path; its messages quote the offending value ({@code bad CIDR range
 * (1.2.3.4/99)}, {@code unknown value "\"STRCT\""}), a field ({@code unknown field "foo"}, {@code From.Principals},
 * {@code portLevelMtls}, or in words: {@code port level mTLS}), or a rule index ({@code found at rule 0}). Looked for in
 * that order: a value the message quotes, a field it names (with its parents when dotted, or as consecutive words), a
 * rule it numbers, a bare word equal to a value; else the
 * object's spec. A guess at a line, never at the message: the message is shown as Istio wrote it.
 */
final class FieldFinder {
    private static final Pattern QUOTED = Pattern.compile("\\(([^()]+)\\)|\\\\?\"(?:\\\\\")?([^\"\\\\]+)(?:\\\\\")?\\\\?\"|`([^`]+)`");
    private static final Pattern UNKNOWN_FIELD = Pattern.compile("unknown field \"([^\"]+)\"");
    private static final Pattern WORD = Pattern.compile("[A-Za-z][A-Za-z0-9_]*(?:\\.[A-Za-z][A-Za-z0-9_]*)*(?:\\[[^\\]]*\\])?");
    private static final Pattern RULE = Pattern.compile("\\brule (\\d+)\\b");

    private FieldFinder() {
    }

    /** A JSON pointer into {@code object} ("/spec/..."), or "/spec" (or "") when nothing in the message is found. */
    static String find(JsonNode object, String message) {
        JsonNode spec = object.path("spec");
        Matcher unknown = UNKNOWN_FIELD.matcher(message);
        if (unknown.find()) {
            String at = firstKey(spec, "/spec", unknown.group(1), false);
            if (at != null) {
                return at;
            }
        }
        List<String> quoted = new ArrayList<>();
        List<String> backticked = new ArrayList<>();
        Matcher q = QUOTED.matcher(message);
        while (q.find()) {
            if (q.group(3) != null) {
                backticked.add(q.group(3).trim());
            } else {
                quoted.add((q.group(1) != null ? q.group(1) : q.group(2)).trim());
            }
        }
        List<String> words = new ArrayList<>();
        Matcher w = WORD.matcher(message);
        while (w.find()) {
            words.add(w.group());
        }
        List<String> attributes = words.stream().filter(x -> x.contains(".") || x.contains("[")).toList();
        for (List<String> tokens : List.of(quoted, attributes, backticked)) {
            for (String token : tokens) {
                String at = firstValue(spec, "/spec", token);
                if (at == null) {
                    at = firstKey(spec, "/spec", token, false);
                }
                if (at != null) {
                    return at;
                }
            }
        }
        for (String word : attributes) {
            if (!word.contains("[")) {
                String at = dotted(spec, "/spec", word.split("\\."));
                if (at != null) {
                    return at;
                }
            }
        }
        for (String word : words) {
            if (word.length() >= 4 && !word.contains(".") && !word.contains("[")) {
                String at = firstKey(spec, "/spec", word, false);
                if (at != null) {
                    return at;
                }
            }
        }
        // Prose names a field in words: "port level mTLS" is portLevelMtls.
        for (int n = 4; n >= 2; n--) {
            for (int i = 0; i + n <= words.size(); i++) {
                String at = firstKey(spec, "/spec", String.join("", words.subList(i, i + n)), true);
                if (at != null) {
                    return at;
                }
            }
        }
        Matcher rule = RULE.matcher(message);
        if (rule.find() && spec.path("rules").has(Integer.parseInt(rule.group(1)))) {
            return "/spec/rules/" + rule.group(1);
        }
        for (String word : words) {
            if (word.length() >= 4) {
                String at = firstValue(spec, "/spec", word);
                if (at != null) {
                    return at;
                }
            }
        }
        return object.has("spec") ? "/spec" : "";
    }

    /** The first scalar equal to {@code value}, depth first. */
    private static String firstValue(JsonNode node, String at, String value) {
        if (node.isValueNode()) {
            return node.asString().equals(value) ? at : null;
        }
        for (Map.Entry<String, JsonNode> e : children(node)) {
            String found = firstValue(e.getValue(), at + "/" + escape(e.getKey()), value);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** The first key equal to {@code key} (ignoring case when asked), depth first. */
    private static String firstKey(JsonNode node, String at, String key, boolean ignoreCase) {
        if (!node.isObject()) {
            for (Map.Entry<String, JsonNode> e : children(node)) {
                String found = firstKey(e.getValue(), at + "/" + e.getKey(), key, ignoreCase);
                if (found != null) {
                    return found;
                }
            }
            return null;
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (ignoreCase ? e.getKey().equalsIgnoreCase(key) : e.getKey().equals(key)) {
                return at + "/" + escape(e.getKey());
            }
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String found = firstKey(e.getValue(), at + "/" + escape(e.getKey()), key, ignoreCase);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** "From.Principals": a key {@code principals} below a key {@code from}, each matched ignoring case. */
    private static String dotted(JsonNode node, String at, String[] parts) {
        String first = firstKey(node, at, parts[0], true);
        if (first == null) {
            return null;
        }
        if (parts.length == 1) {
            return first;
        }
        JsonNode under = node.at(first.substring(at.length()));
        String rest = dotted(under, first, java.util.Arrays.copyOfRange(parts, 1, parts.length));
        return rest != null ? rest : null;
    }

    private static List<Map.Entry<String, JsonNode>> children(JsonNode node) {
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        if (node.isObject()) {
            node.properties().forEach(out::add);
        } else if (node.isArray()) {
            Iterator<JsonNode> it = node.iterator();
            for (int i = 0; it.hasNext(); i++) {
                out.add(Map.entry(Integer.toString(i), it.next()));
            }
        }
        return out;
    }

    private static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    /** For messages: the pointer as dotted field names ("spec.rules[0].from"). */
    static String readable(String pointer) {
        StringBuilder sb = new StringBuilder();
        for (String part : pointer.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            String p = part.replace("~1", "/").replace("~0", "~");
            if (p.chars().allMatch(Character::isDigit)) {
                sb.append('[').append(p).append(']');
            } else {
                sb.append(sb.length() == 0 ? "" : ".").append(p);
            }
        }
        return sb.toString();
    }
}

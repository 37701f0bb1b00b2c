package io.meshform.providers.istio.checks;

import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A JSON tree written as block-style YAML whose every key and string is a JSON string literal, for the files a run
 * hands to istioctl. Why not Jackson's YAML writer: its emitter (snakeyaml-engine) decides a style for every scalar
 * and took 170-250 ms for the 500 PeerAuthentications of a 1,000-object plan, twice per plan (validate and analyze);
 * this takes a few milliseconds. Why not plain JSON documents, which YAML also reads: istioctl analyze then reports
 * the line after a field's (it said line 12 for a {@code gateways} array on line 11), and meshform maps those lines
 * back to the stack's fields; in block style it reports the field's own line, as for the YAML Jackson wrote.
 *
 * <p>Why it is valid YAML with the same values: every key and string is double-quoted with JSON's escapes, which
 * YAML's double-quoted scalars all take ({@code \" \\ \b \f \n \r \t \\uXXXX}; YAML 1.1, which istioctl's
 * sigs.k8s.io/yaml reads, included), so it is the same string whatever it holds ("yes", "null", "0x1F", ": #", a
 * newline); numbers, booleans and null are written as JSON writes them, which YAML reads as the same scalar types;
 * empty objects and arrays are written as {@code {}} and {@code []}.
 */
final class BlockYaml {
    private BlockYaml() {
    }

    /** One document, without the leading {@code ---}, ending with a newline. */
    static String write(JsonNode root) {
        StringBuilder out = new StringBuilder();
        if (root.isObject() && !root.isEmpty()) {
            fields(root, 0, out, false);
        } else if (root.isArray() && !root.isEmpty()) {
            items(root, 0, out, false);
        } else {
            scalar(root, out);
            out.append('\n');
        }
        return out.toString();
    }

    /** The fields of a non-empty object at {@code indent}; the first one on the current line when {@code inline}. */
    private static void fields(JsonNode object, int indent, StringBuilder out, boolean inline) {
        boolean first = true;
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            if (!(first && inline)) {
                pad(out, indent);
            }
            first = false;
            quoted(field.getKey(), out);
            out.append(':');
            value(field.getValue(), indent + 2, out);
        }
    }

    /** The items of a non-empty array at {@code indent}; the first one on the current line when {@code inline}. */
    private static void items(JsonNode array, int indent, StringBuilder out, boolean inline) {
        boolean first = true;
        for (JsonNode item : array) {
            if (!(first && inline)) {
                pad(out, indent);
            }
            first = false;
            out.append("- ");
            if (item.isObject() && !item.isEmpty()) {
                fields(item, indent + 2, out, true);
            } else if (item.isArray() && !item.isEmpty()) {
                items(item, indent + 2, out, true);
            } else {
                scalar(item, out);
                out.append('\n');
            }
        }
    }

    /** What follows a key's colon: a scalar on the same line, or a nested block on the next lines. */
    private static void value(JsonNode value, int indent, StringBuilder out) {
        if (value.isObject() && !value.isEmpty()) {
            out.append('\n');
            fields(value, indent, out, false);
        } else if (value.isArray() && !value.isEmpty()) {
            out.append('\n');
            items(value, indent, out, false);
        } else {
            out.append(' ');
            scalar(value, out);
            out.append('\n');
        }
    }

    private static void scalar(JsonNode node, StringBuilder out) {
        if (node.isString()) {
            quoted(node.stringValue(), out);
        } else if (node.isObject()) {
            out.append("{}");
        } else if (node.isArray()) {
            out.append("[]");
        } else if (node.isNull() || node.isMissingNode()) {
            out.append("null");
        } else if (node.isBinary()) {
            quoted(node.asString(), out); // base64, as JSON writes it
        } else {
            out.append(node.toString()); // numbers and booleans as JSON literals
        }
    }

    /**
     * A double-quoted scalar: JSON's escapes, plus {@code \\uXXXX} for what YAML does not allow raw in a stream (DEL,
     * the C1 controls, U+FFFE/U+FFFF, an unpaired surrogate) or would read as a line break inside quotes in YAML 1.1
     * (NEL U+0085, U+2028, U+2029), so the string reads back unchanged.
     */
    private static void quoted(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029 || c == 0xfffe || c == 0xffff
                            || Character.isSurrogate(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void pad(StringBuilder out, int indent) {
        for (int i = 0; i < indent; i++) {
            out.append(' ');
        }
    }
}

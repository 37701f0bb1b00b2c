package io.meshform.engine.diag;

import tools.jackson.databind.JsonNode;

/** How error messages name a value the user wrote: "a mapping", "the string \"x\"", "number 1.1". */
public final class ValueDescription {
    private ValueDescription() {
    }

    /** What the value is, without quoting it: for content that may not be a stack at all (the root of a file). */
    public static String kindOf(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return "nothing";
        }
        if (node.isObject()) {
            return "a mapping";
        }
        if (node.isArray()) {
            return "a list";
        }
        return node.isString() ? "a string" : "a " + node.getNodeType().name().toLowerCase();
    }

    public static String of(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return "nothing";
        }
        if (node.isObject()) {
            return "a mapping";
        }
        if (node.isArray()) {
            return "a list";
        }
        if (node.isString()) {
            return "the string \"" + Quote.shortened(node.asString()) + "\"";
        }
        return node.getNodeType().name().toLowerCase() + " " + Quote.shortened(node.toString());
    }
}

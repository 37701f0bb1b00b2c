package io.meshform.engine.drift;

import io.meshform.engine.model.ResourceAddress;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Known noise a drift check leaves out: a whole resource ({@code ADDR}) or one field of it ({@code ADDR:labels.team}, a
 * dotted path in the resource's spec shape). Never the resource's deposed objects: old objects the state still wants
 * deleted, which drift reports whatever --ignore says.
 */
public record IgnoreRule(ResourceAddress address, List<String> fieldPath) {

    public IgnoreRule {
        fieldPath = List.copyOf(fieldPath);
    }

    /** Parses {@code ADDR} or {@code ADDR:dotted.path}; throws IllegalArgumentException with what is wrong. */
    public static IgnoreRule parse(String text) {
        int colon = text.indexOf(':');
        ResourceAddress address = ResourceAddress.parse(colon < 0 ? text : text.substring(0, colon));
        if (colon < 0) {
            return new IgnoreRule(address, List.of());
        }
        String path = text.substring(colon + 1);
        if (path.isBlank() || path.startsWith(".") || path.endsWith(".") || path.contains("..")) {
            throw new IllegalArgumentException("invalid field path `" + path + "` in `" + text
                    + "`: expected ADDR:field.subfield, e.g. kubernetes.labels.cortex:labels.team");
        }
        return new IgnoreRule(address, List.of(path.split("\\.")));
    }

    public boolean wholeResource() {
        return fieldPath.isEmpty();
    }

    /** A copy of {@code value} without the ignored field, so both sides compare without it. */
    JsonNode strip(JsonNode value) {
        if (value == null || !value.isObject() || wholeResource()) {
            return value;
        }
        JsonNode copy = value.deepCopy();
        JsonNode parent = copy;
        for (int i = 0; i < fieldPath.size() - 1 && parent != null; i++) {
            parent = parent.get(fieldPath.get(i));
        }
        if (parent instanceof ObjectNode o) {
            o.remove(fieldPath.get(fieldPath.size() - 1));
        }
        return copy;
    }
}

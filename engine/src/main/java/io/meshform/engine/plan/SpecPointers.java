package io.meshform.engine.plan;

import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Values put into a spec at JSON pointers: where a sensitive value's digest stands, or a probe in its place. */
public final class SpecPointers {
    private SpecPointers() {
    }

    /** A copy of {@code spec} with each value (copied too) put at its JSON pointer. */
    public static JsonNode with(JsonNode spec, Map<String, JsonNode> values) {
        JsonNode copy = spec.deepCopy();
        values.forEach((pointer, value) -> set(copy, pointer, value.deepCopy()));
        return copy;
    }

    /**
     * A copy of {@code spec} without the values at {@code pointers}: a key of an object is removed; an array element
     * stays as it is (it cannot go without moving the others), as does a pointer whose parent is missing.
     */
    public static JsonNode without(JsonNode spec, java.util.Collection<String> pointers) {
        JsonNode copy = spec.deepCopy();
        for (String pointer : pointers) {
            int slash = pointer.lastIndexOf('/');
            JsonNode parent = slash <= 0 ? copy : copy.at(pointer.substring(0, slash));
            String last = unescape(pointer.substring(slash + 1));
            if (parent instanceof ObjectNode o) {
                o.remove(last);
            }
        }
        return copy;
    }

    /**
     * Puts {@code value} at {@code pointer} in {@code root}, in place: a key of an object, or an index an array already
     * has. A pointer whose parent is missing, or an index past the end, changes nothing.
     */
    static void set(JsonNode root, String pointer, JsonNode value) {
        int slash = pointer.lastIndexOf('/');
        JsonNode parent = slash <= 0 ? root : root.at(pointer.substring(0, slash));
        String last = unescape(pointer.substring(slash + 1));
        if (parent instanceof ObjectNode o) {
            o.set(last, value);
        } else if (parent instanceof ArrayNode a && last.matches("\\d+") && Integer.parseInt(last) < a.size()) {
            a.set(Integer.parseInt(last), value);
        }
    }

    private static String unescape(String token) {
        return token.replace("~1", "/").replace("~0", "~");
    }
}

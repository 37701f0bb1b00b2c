package io.meshform.engine.plan;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Keeps values a provider marks sensitive out of plans and state: plans show {@code (sensitive)}, state keeps
 * a digest so a change is still noticed.
 */
public final class Sensitive {
    public static final String MASK = "(sensitive)";

    private Sensitive() {
    }

    public static JsonNode mask(JsonNode value, Set<String> paths) {
        return replace(value, paths, v -> JsonNodeFactory.instance.stringNode(MASK));
    }

    public static JsonNode digest(JsonNode value, Set<String> paths) {
        return replace(value, paths, v -> JsonNodeFactory.instance.stringNode("sha256:" + sha256(v.toString())));
    }

    private static JsonNode replace(JsonNode value, Set<String> paths, java.util.function.UnaryOperator<JsonNode> how) {
        if (value == null || paths.isEmpty() || !value.isObject()) {
            return value;
        }
        JsonNode copy = value.deepCopy();
        for (String path : paths) {
            int slash = path.lastIndexOf('/');
            JsonNode parent = slash <= 0 ? copy : copy.at(path.substring(0, slash));
            String field = path.substring(slash + 1);
            if (parent instanceof ObjectNode o && o.has(field) && !o.get(field).isNull()) {
                o.set(field, how.apply(o.get(field)));
            }
        }
        return copy;
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

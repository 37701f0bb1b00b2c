package io.meshform.engine.load;

import io.meshform.engine.spi.FieldProblem;
import io.meshform.engine.spi.ResourceType;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A resource's unknown field that its type takes in its spec: most often a line indented as deep as {@code spec:}
 * instead of under it ({@code mtls:} beside {@code spec:}). "did you mean `spec`?" or the list of a resource's fields
 * did not say so; the hint names the spec and the indentation. The type is asked by its own validation (a spec holding
 * only that field, whose value may be wrong but whose name is not unknown), so every type is covered without a list of
 * its fields.
 */
final class MisplacedSpecField {
    private MisplacedSpecField() {
    }

    /** The hint for {@code key} found beside {@code spec:} of a resource of {@code type}, when the spec takes it. */
    static Optional<String> hint(ResourceType type, String key, JsonNode value) {
        // A type that names no unknown field (it takes any, or says nothing of them) cannot tell a spec field apart.
        if (!refused(type, "meshform-no-such-field", JsonNodeFactory.instance.nullNode()) || refused(type, key, value)) {
            return Optional.empty();
        }
        return Optional.of("`" + key + "` is a field of " + type.name() + "'s spec: indent it under `spec:`, as deep as"
                + " the spec's other fields");
    }

    /** True when the type's validation of a spec holding only {@code key} says the field is unknown. */
    private static boolean refused(ResourceType type, String key, JsonNode value) {
        ObjectNode probe = JsonNodeFactory.instance.objectNode();
        probe.set(key, value == null ? JsonNodeFactory.instance.nullNode() : value);
        String at = "/" + YamlReader.escape(key);
        try {
            for (FieldProblem p : type.validate(probe)) {
                if (p.path().equals(at) && p.message() != null && p.message().startsWith("unknown field")) {
                    return true;
                }
            }
            return false;
        } catch (RuntimeException e) {
            return true;  // a type whose validation needs more than one field: no hint, the plain error stands
        }
    }
}

package io.meshform.engine.load;

import io.meshform.engine.diag.SourceRange;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A parsed YAML document and where each of its nodes was written. Keys are JSON Pointers
 * ({@code /resources/2/spec/mtls/mode}); a key's position is that of the property name.
 */
public record YamlDocument(String file, JsonNode root, Map<String, SourceRange> positions) {

    /**
     * Where the value of the property at {@code pointer} starts ({@code STRICTT} in {@code mode: STRICTT}), or, for an
     * array element or a node not written, {@link #rangeOf}.
     */
    public SourceRange valueRangeOf(String pointer) {
        SourceRange r = positions.get(valueKey(pointer));
        return r != null ? r : rangeOf(pointer);
    }

    /**
     * The key under which a property value's position is kept in {@link #positions}: the pointer and "~2", which no
     * pointer ends with (a key's "~" is escaped as "~0"), so it never shadows a node's own position.
     */
    static String valueKey(String pointer) {
        return pointer + "~2";
    }

    /** The position of the node at {@code pointer}, or of its nearest written ancestor. */
    public SourceRange rangeOf(String pointer) {
        String p = pointer;
        while (true) {
            SourceRange r = positions.get(p);
            if (r != null) {
                return r;
            }
            if (p.isEmpty()) {
                return SourceRange.unknown(file);
            }
            int slash = p.lastIndexOf('/');
            p = slash <= 0 ? "" : p.substring(0, slash);
        }
    }
}

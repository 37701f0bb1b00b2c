package io.meshform.engine.load;

import io.meshform.engine.diag.SourceRange;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A parsed YAML document and where each of its nodes was written. Keys are JSON Pointers
 * ({@code /resources/2/spec/mtls/mode}); a key's position is that of the property name.
 */
public record YamlDocument(String file, JsonNode root, Map<String, SourceRange> positions) {

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

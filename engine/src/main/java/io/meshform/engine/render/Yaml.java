package io.meshform.engine.render;

import io.meshform.engine.diag.ControlChars;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/**
 * YAML for people to read in diffs: keys sorted so diffs line up, quotes only where needed. Numbers kept as
 * strings stay quoted, or "1.10" would come back as the number 1.1. The YAML writer escapes control characters
 * but writes Unicode's invisible format characters as they are (a right-to-left override is "printable" to YAML), so
 * the text is escaped once more as diagnostics are ({@link ControlChars}): a value from a stack, a state or a live
 * object cannot reorder or hide what a reviewer reads.
 */
public final class Yaml {
    private final YAMLMapper mapper = YAMLMapper.builder()
            .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
            .enable(YAMLWriteFeature.MINIMIZE_QUOTES)
            .enable(YAMLWriteFeature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .build();

    public String write(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return "";
        }
        if (node.isObject() && node.isEmpty()) {
            return "{}\n";
        }
        return ControlChars.escape(mapper.writeValueAsString(sorted(node)));
    }

    private Object sorted(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> m = new TreeMap<>();
            node.forEachEntry((k, v) -> m.put(k, sorted(v)));
            return m;
        }
        if (node.isArray()) {
            java.util.List<Object> l = new java.util.ArrayList<>();
            node.forEach(v -> l.add(sorted(v)));
            return l;
        }
        return node;
    }
}

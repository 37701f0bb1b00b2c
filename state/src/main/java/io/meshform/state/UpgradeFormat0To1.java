package io.meshform.state;

import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Format 0 (pre-release meshform) named the version {@code version} and kept resources in an object keyed by
 * address. Format 1 uses {@code format_version} and a list, so order is explicit and an address can be checked
 * for duplicates.
 */
final class UpgradeFormat0To1 implements FormatUpgrade {

    @Override
    public int fromVersion() {
        return 0;
    }

    @Override
    public ObjectNode upgrade(ObjectNode old) {
        ObjectNode out = old.objectNode();
        out.put("format_version", 1);
        for (Map.Entry<String, JsonNode> e : old.properties()) {
            switch (e.getKey()) {
                case "version" -> { }
                case "resources" -> out.set("resources", resourceList(e.getValue()));
                default -> out.set(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    private static ArrayNode resourceList(JsonNode byAddress) {
        if (!byAddress.isObject()) {
            throw new FormatProblem("resources: format 0 keeps resources in an object keyed by address, found "
                    + byAddress.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
        }
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        for (Map.Entry<String, JsonNode> e : byAddress.properties()) {
            if (!e.getValue().isObject()) {
                throw new FormatProblem("resources." + e.getKey() + ": expected an object");
            }
            ObjectNode r = list.addObject();
            r.put("address", e.getKey());
            ((ObjectNode) e.getValue()).properties().forEach(p -> r.set(p.getKey(), p.getValue()));
        }
        return list;
    }
}

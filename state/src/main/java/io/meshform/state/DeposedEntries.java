package io.meshform.state;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code deposed} array of the state file (format 4) and of a journal record: each entry a resource entry as in
 * {@code resources} with its {@code key} ({@link DeposedObject}), keys in a fixed order so two writes are byte-identical.
 */
final class DeposedEntries {
    private DeposedEntries() {
    }

    /** Adds {@code "deposed"} to {@code root} when there is any. */
    static void write(ObjectNode root, List<DeposedObject> deposed, StateCodec codec) {
        if (deposed.isEmpty()) {
            return;
        }
        ArrayNode list = root.putArray("deposed");
        deposed.forEach(d -> list.add(node(d, codec)));
    }

    /** One entry: address, key, type, attributes, metadata. */
    static ObjectNode node(DeposedObject d, StateCodec codec) {
        ObjectNode resource = codec.resourceNode(d.object());
        ObjectNode out = codec.mapper().createObjectNode();
        out.set("address", resource.get("address"));
        out.put("key", d.key());
        out.set("type", resource.get("type"));
        out.set("attributes", resource.get("attributes"));
        out.set("metadata", resource.get("metadata"));
        return out;
    }

    /** The deposed objects of {@code n} (absent: none), checked as the resources are. */
    static List<DeposedObject> read(JsonNode n, String at, StateCodec codec) {
        List<DeposedObject> out = new ArrayList<>();
        if (n == null) {
            return out;
        }
        if (!n.isArray()) {
            throw new FormatProblem(at + ": expected an array of deposed objects");
        }
        for (int i = 0; i < n.size(); i++) {
            String here = at + "[" + i + "]";
            JsonNode e = n.get(i);
            if (!e.isObject()) {
                throw new FormatProblem(here + ": expected an object");
            }
            JsonNode key = e.get("key");
            if (key == null || !key.isString() || !key.asString().matches("[0-9a-f]{8}")) {
                throw new FormatProblem(here + ".key: expected 8 lowercase hex digits (the deposed object's key)");
            }
            ObjectNode resource = ((ObjectNode) e).deepCopy();
            resource.remove("key");
            DeposedObject d = new DeposedObject(key.asString(), codec.resource(resource, here));
            if (out.stream().anyMatch(x -> x.address().equals(d.address()) && x.key().equals(d.key()))) {
                throw new FormatProblem(here + ": " + d.describe() + " appears twice; each deposed object is listed once");
            }
            out.add(d);
        }
        return out;
    }
}

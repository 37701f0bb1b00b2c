package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.node.ObjectNode;

/**
 * The fields the API server owns, in one list: meshform never sends them in an apply body, never compares them, and
 * warns when a stack sets them. Also what meshform records of an object it applied (uid, resourceVersion, its field
 * manager), the same for every type.
 */
public final class ServerFields {
    /** Metadata the server sets (kubernetes API conventions: "system" fields of ObjectMeta). */
    public static final List<String> METADATA = List.of("resourceVersion", "uid", "managedFields", "creationTimestamp",
            "generation", "selfLink");
    /** The object's observed state, written by controllers. */
    public static final String STATUS = "status";

    private ServerFields() {
    }

    /** Removes the server's fields from an object tree, in place. */
    public static ObjectNode strip(ObjectNode obj) {
        if (obj.get("metadata") instanceof ObjectNode md) {
            METADATA.forEach(md::remove);
        }
        obj.remove(STATUS);
        return obj;
    }

    /** Removes the server's fields from a typed object, in place. */
    public static void strip(HasMetadata obj) {
        ObjectMeta m = obj.getMetadata();
        if (m != null) {
            m.setResourceVersion(null);
            m.setUid(null);
            m.setManagedFields(null);
            m.setCreationTimestamp(null);
            m.setGeneration(null);
            m.setSelfLink(null);
        }
        if (obj instanceof GenericKubernetesResource g && g.getAdditionalProperties() != null) {
            g.getAdditionalProperties().remove(STATUS);
        }
    }

    /** What state records of an applied (or adopted) object: its uid and resourceVersion, and meshform's field manager. */
    public static Map<String, String> recorded(HasMetadata applied, String fieldManager) {
        var md = applied == null ? null : applied.getMetadata();
        return recorded(md == null ? null : md.getUid(), md == null ? null : md.getResourceVersion(), fieldManager);
    }

    /** The same, for an object the API server answered with as JSON ({@link ServerSideApply}). */
    public static Map<String, String> recorded(tools.jackson.databind.JsonNode applied, String fieldManager) {
        tools.jackson.databind.JsonNode md = applied == null ? null : applied.get("metadata");
        return recorded(md == null ? null : Json.text(md, "uid"), md == null ? null : Json.text(md, "resourceVersion"),
                fieldManager);
    }

    private static Map<String, String> recorded(String uid, String resourceVersion, String fieldManager) {
        Map<String, String> m = new TreeMap<>();
        if (uid != null) {
            m.put("uid", uid);
        }
        if (resourceVersion != null) {
            m.put("resourceVersion", resourceVersion);
        }
        m.put("fieldManager", fieldManager);
        return m;
    }
}

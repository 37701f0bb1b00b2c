package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Jackson 3 helpers shared by the providers: conversions, projection onto a desired shape, diff paths. */
public final class Json {
    public static final JsonMapper MAPPER = JsonMapper.builder().build();
    public static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private Json() {
    }

    public static ObjectNode object() {
        return NODES.objectNode();
    }

    /** A deep copy of an object node; an empty object for anything else. */
    public static ObjectNode copy(JsonNode node) {
        return node != null && node.isObject() ? (ObjectNode) node.deepCopy() : object();
    }

    /** Any fabric8 model object (typed or generic) as a JSON tree, through fabric8's own serializer. */
    public static JsonNode toNode(Object kubernetesObject) {
        return MAPPER.readTree(SERIALIZATION.asJson(kubernetesObject));
    }

    public static GenericKubernetesResource toGeneric(JsonNode node) {
        return SERIALIZATION.unmarshal(node.toString(), GenericKubernetesResource.class);
    }

    /** A string-to-string map from an object node (non-strings as their text); empty for null or missing. */
    public static Map<String, String> stringMap(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node != null && node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                out.put(e.getKey(), e.getValue().isString() ? e.getValue().asString() : e.getValue().toString());
            }
        }
        return out;
    }

    public static ObjectNode fromMap(Map<String, String> map) {
        ObjectNode o = object();
        new TreeMap<>(map).forEach(o::put);
        return o;
    }

    public static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v == null || v.isNull() || v.isMissingNode() ? null : v.asString();
    }

    public static String text(JsonNode node, String field, String fallback) {
        String v = text(node, field);
        return v == null || v.isBlank() ? fallback : v;
    }

    public static boolean bool(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v != null && v.isBoolean() && v.booleanValue();
    }

    /**
     * The parts of {@code actual} at the paths {@code desired} has: server defaults and fields set by others
     * drop out, so the result compares equal to {@code desired} exactly when the declared fields match.
     * Returns null when actual lacks the path.
     */
    public static JsonNode project(JsonNode actual, JsonNode desired) {
        if (actual == null || actual.isMissingNode() || actual.isNull()) {
            return null;
        }
        if (desired != null && desired.isObject() && actual.isObject()) {
            ObjectNode out = object();
            for (Map.Entry<String, JsonNode> e : desired.properties()) {
                JsonNode p = project(actual.get(e.getKey()), e.getValue());
                if (p != null) {
                    out.set(e.getKey(), p);
                }
            }
            return out;
        }
        if (desired != null && desired.isArray() && actual.isArray()) {
            ArrayNode out = NODES.arrayNode();
            for (int i = 0; i < actual.size(); i++) {
                JsonNode d = i < desired.size() ? desired.get(i) : null;
                JsonNode p = d == null ? actual.get(i) : project(actual.get(i), d);
                out.add(p == null ? NODES.nullNode() : p);
            }
            return out;
        }
        return actual.deepCopy();
    }

    /** Numbers and strings compare by text (YAML {@code 8080} against the server's {@code "8080"} is no change). */
    public static boolean sameValue(JsonNode a, JsonNode b) {
        return paths(a, b).isEmpty();
    }

    /** Dotted paths where two trees differ ("mtls.mode", "labels.team"), in a stable order. */
    public static List<String> paths(JsonNode before, JsonNode after) {
        List<String> out = new ArrayList<>();
        diff("", before, after, out);
        return out;
    }

    private static void diff(String at, JsonNode a, JsonNode b, List<String> out) {
        boolean aAbsent = absent(a);
        boolean bAbsent = absent(b);
        if (aAbsent && bAbsent) {
            return;
        }
        if (aAbsent || bAbsent) {
            out.add(at.isEmpty() ? "(root)" : at);
            return;
        }
        if (a.isObject() && b.isObject()) {
            TreeMap<String, Boolean> keys = new TreeMap<>();
            a.propertyNames().forEach(k -> keys.put(k, true));
            b.propertyNames().forEach(k -> keys.put(k, true));
            for (String k : keys.keySet()) {
                diff(at.isEmpty() ? k : at + "." + k, a.get(k), b.get(k), out);
            }
            return;
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                out.add(at);
                return;
            }
            for (int i = 0; i < a.size(); i++) {
                diff(at + "[" + i + "]", a.get(i), b.get(i), out);
            }
            return;
        }
        if (a.isNumber() && b.isNumber()) {
            // YAML 10.0 and the server's 10 are the same number.
            if (a.decimalValue().compareTo(b.decimalValue()) != 0) {
                out.add(at);
            }
            return;
        }
        if (a.isValueNode() && b.isValueNode() && !a.isContainer() && !b.isContainer()) {
            if ((!a.asString().equals(b.asString()) || a.isBoolean() != b.isBoolean()) && !sameQuantity(at, a, b)) {
                out.add(at);
            }
            return;
        }
        out.add(at);
    }

    /**
     * Resource quantities are stored in canonical form ("2000m" comes back as "2", "1024Mi" as "1Gi"), so values
     * under {@code limits} and {@code requests} compare by amount.
     */
    private static boolean sameQuantity(String at, JsonNode a, JsonNode b) {
        if (!at.contains("limits.") && !at.contains("requests.")) {
            return false;
        }
        try {
            return Quantity.getAmountInBytes(new Quantity(a.asString()))
                    .compareTo(Quantity.getAmountInBytes(new Quantity(b.asString()))) == 0;
        } catch (IllegalArgumentException | ArithmeticException e) {
            return false;
        }
    }

    /** Null, missing, {} and [] all mean "not set" (the server drops empty structs). */
    static boolean absent(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() || (n.isContainer() && n.isEmpty());
    }

    /** "spec.mtls.mode changed" / "labels.a, labels.b changed" / "4 fields changed". */
    public static String changedReason(String prefix, List<String> paths) {
        if (paths.isEmpty()) {
            return "no change";
        }
        List<String> named = paths.stream().map(p -> prefix.isEmpty() ? p : prefix + "." + p).toList();
        if (named.size() > 3) {
            return String.join(", ", named.subList(0, 3)) + " and " + (named.size() - 3) + " more changed";
        }
        return String.join(", ", named) + " changed";
    }

    /** Keys sorted at every level, so equal trees print and hash the same. */
    public static JsonNode canonical(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isObject()) {
            ObjectNode out = object();
            new TreeMap<String, JsonNode>(toMap(node)).forEach((k, v) -> out.set(k, canonical(v)));
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = NODES.arrayNode();
            node.forEach(v -> out.add(canonical(v)));
            return out;
        }
        return node;
    }

    private static Map<String, JsonNode> toMap(JsonNode node) {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        node.properties().forEach(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }

    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** JSON Pointer escaping of one key ("istio.io/rev" becomes "istio.io~1rev"). */
    public static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}

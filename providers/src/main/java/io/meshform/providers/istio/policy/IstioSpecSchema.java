package io.meshform.providers.istio.policy;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import io.meshform.engine.diag.Quote;
import io.meshform.engine.diag.Suggestions;
import io.meshform.engine.diag.ValueDescription;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.SpecChecker;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The values and types an Istio kind's spec allows, read from Istio's own CRD schema (istio-spec-schemas.json: the
 * {@code openAPIV3Schema} of each kind's spec in manifests/charts/base/files/crd-all.gen.yaml of Istio 1.30.3, copied
 * by testbed/gen-istio-schemas.py), checked with the networknt JSON Schema validator. It explains, at the value and
 * with the allowed values, what {@code istioctl validate} refuses in its decoder's words ({@code cannot parse proto
 * message: unknown value "\"STRICTT\"" for enum ...}), and works without istioctl.
 *
 * <p>istioctl stays the judge: only what it refuses is reported (istioctl 1.30.3 run on each case,
 * IstioSpecSchemaTest), which is narrower than the schema. istioctl decodes the spec strictly with
 * github.com/golang/protobuf's jsonpb (istioctl/pkg/validate/validate.go {@code fromSchemaAndJSONMap} →
 * pkg/config/model.go {@code ApplyJSONStrict} → pkg/util/protomarshal/protomarshal.go {@code ApplyJSONStrict}, Istio
 * 1.30.3), which accepts an enum by its number ({@code mode: 3}), a number written as a string
 * ({@code randomSamplingPercentage: "10"}) and {@code null} for any field; those are left alone. Reported: a string not among an enum's values (names are
 * case-sensitive), and a value whose JSON type cannot decode into the field: a scalar or list for a mapping, a scalar
 * or mapping for a list, a number, true/false or structure for a string, anything but true/false for a boolean.
 */
final class IstioSpecSchema {
    private static final String RESOURCE = "istio-spec-schemas.json";

    private final Map<String, JsonNode> trees = new HashMap<>();
    private final Map<String, Schema> schemas = new HashMap<>();

    private IstioSpecSchema(JsonNode kinds) {
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4);
        for (Map.Entry<String, JsonNode> e : kinds.properties()) {
            trees.put(e.getKey(), e.getValue());
            schemas.put(e.getKey(), registry.getSchema(e.getValue()));
        }
    }

    /** Istio 1.30.3's schemas, read once (immutable after). */
    static IstioSpecSchema istio() {
        return Loaded.SCHEMA;
    }

    private static final class Loaded {
        static final IstioSpecSchema SCHEMA = load();

        private static IstioSpecSchema load() {
            try (InputStream in = IstioSpecSchema.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(RESOURCE + " is missing from the meshform jar; rebuild it");
                }
                return new IstioSpecSchema(JsonMapper.builder().build().readTree(in).path("kinds"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + RESOURCE + " from the meshform jar", e);
            }
        }
    }

    /** Checks {@code spec} (paths relative to it) against {@code kind}'s schema; fields it does not know are skipped. */
    void check(String kind, JsonNode spec, SpecChecker c) {
        Schema schema = schemas.get(kind);
        if (schema == null || spec == null || !spec.isObject()) {
            return;
        }
        List<String> reported = new ArrayList<>();
        for (Error e : schema.validate(spec)) {
            String path = pointer(e.getInstanceLocation());
            JsonNode value = spec.at(path);
            JsonNode field = schemaAt(trees.get(kind), e.getInstanceLocation());
            if (field == null || value.isNull() || value.isMissingNode() || reported.contains(path)) {
                continue;
            }
            Optional<String[]> problem = switch (e.getKeyword()) {
                case "enum" -> unknownValue(kind, field, value);
                case "type" -> wrongType(kind, field, value, lastName(e.getInstanceLocation()));
                default -> Optional.empty();
            };
            problem.ifPresent(p -> {
                reported.add(path);
                c.errorAtValue(path, p[0], p[1]);
            });
        }
    }

    private static Optional<String[]> unknownValue(String kind, JsonNode field, JsonNode value) {
        if (!value.isString()) {
            return Optional.empty();  // jsonpb takes an enum's number; a wrong type is the `type` keyword's
        }
        List<String> allowed = new ArrayList<>();
        field.path("enum").forEach(v -> allowed.add(v.asString()));
        String given = value.asString();
        String message = "unknown value `" + Quote.shortened(given) + "`: Istio's " + kind + " accepts "
                + String.join(", ", allowed);
        String hint = Suggestions.closest(given, allowed)
                .map(s -> "did you mean `" + s + "`?" + (s.equalsIgnoreCase(given) ? " (Istio's values are case-sensitive)" : ""))
                .orElse("use one of the values above; istioctl validate refuses any other");
        return Optional.of(new String[] {message, hint});
    }

    private static Optional<String[]> wrongType(String kind, JsonNode field, JsonNode value, String name) {
        String expected = field.path("type").asString("");
        boolean refused = switch (expected) {
            case "object" -> !value.isObject();
            case "array" -> !value.isArray();
            // An enum field takes its number too (jsonpb).
            case "string" -> !value.isString() && !(value.isNumber() && field.has("enum"));
            case "boolean" -> !value.isBoolean();
            default -> false;  // numbers: jsonpb reads "10" as 10
        };
        if (!refused) {
            return Optional.empty();
        }
        String message = "must be " + what(expected) + " in Istio's " + kind + ", found " + ValueDescription.of(value);
        return Optional.of(new String[] {message, hint(field, expected, value, name)});
    }

    private static String what(String type) {
        return switch (type) {
            case "object" -> "a mapping";
            case "array" -> "a list";
            case "boolean" -> "true or false";
            default -> "a " + type;
        };
    }

    /** For a mapping given a value one of its fields takes ({@code mtls: STRICT}), that field; else its fields. */
    private static String hint(JsonNode field, String expected, JsonNode value, String name) {
        if ("object".equals(expected) && field.path("properties").isObject()) {
            for (Map.Entry<String, JsonNode> p : field.path("properties").properties()) {
                for (JsonNode allowed : p.getValue().path("enum")) {
                    if (value.isString() && allowed.asString().equals(value.asString())) {
                        return "did you mean `" + name + ": {" + p.getKey() + ": " + value.asString() + "}`?";
                    }
                }
            }
            return "its fields: " + String.join(", ", field.path("properties").propertyNames());
        }
        if ("array".equals(expected)) {
            return "write it as a list (`- item` lines or `[...]`), even for one item";
        }
        return "string".equals(expected) ? "quote the value" : "write true or false";
    }

    /** The schema of the node at {@code at}: through properties, additionalProperties (map values) and items. */
    private static JsonNode schemaAt(JsonNode root, NodePath at) {
        JsonNode s = root;
        for (int i = 0; i < at.getNameCount() && s != null; i++) {
            Object step = at.getElement(i);
            if (step instanceof Integer) {
                s = s.get("items");
            } else {
                JsonNode named = s.path("properties").get(String.valueOf(step));
                s = named != null ? named : s.get("additionalProperties");
            }
        }
        return s;
    }

    /** The field's name ({@code mtls}), or its map key, or its list index. */
    private static String lastName(NodePath at) {
        return at.getNameCount() == 0 ? "spec" : String.valueOf(at.getElement(at.getNameCount() - 1));
    }

    private static String pointer(NodePath at) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < at.getNameCount(); i++) {
            sb.append('/').append(Json.escape(String.valueOf(at.getElement(i))));
        }
        return sb.toString();
    }
}

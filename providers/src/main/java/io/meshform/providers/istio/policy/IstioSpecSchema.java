package io.meshform.providers.istio.policy;

import io.meshform.engine.diag.Quote;
import io.meshform.engine.diag.Suggestions;
import io.meshform.engine.diag.ValueDescription;
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
 * by testbed/gen-istio-schemas.py), walked beside the spec. It explains, at the value and with the allowed values,
 * what {@code istioctl validate} refuses in its decoder's words ({@code cannot parse proto message: unknown value
 * "\"STRICTT\"" for enum ...}), and works without istioctl. Walked by hand rather than with a JSON Schema validator:
 * networknt's took 130 ms to 1.6 s to set up on every run that loads an Istio policy (measured with the class
 * cache and without), and only two keywords matter here.
 *
 * <p>istioctl stays the judge: only what it refuses is reported (istioctl 1.30.3 run on each case,
 * IstioSpecSchemaTest), which is narrower than the schema. istioctl decodes the spec strictly with
 * github.com/golang/protobuf's jsonpb (istioctl/pkg/validate/validate.go {@code fromSchemaAndJSONMap} →
 * pkg/config/model.go {@code ApplyJSONStrict} → pkg/util/protomarshal/protomarshal.go {@code ApplyJSONStrict}, Istio
 * 1.30.3), which accepts an enum by its number ({@code mode: 3}), a number written as a string
 * ({@code randomSamplingPercentage: "10"}) and {@code null} for any field; those are left alone. Reported: a string not
 * among an enum's values (names are case-sensitive), and a value whose JSON type cannot decode into the field: a scalar or list for a mapping, a scalar
 * or mapping for a list, a number, true/false or structure for a string, anything but true/false for a boolean.
 */
final class IstioSpecSchema {
    private static final String RESOURCE = "istio-spec-schemas.json";

    private final Map<String, JsonNode> trees = new HashMap<>();

    private IstioSpecSchema(JsonNode kinds) {
        for (Map.Entry<String, JsonNode> e : kinds.properties()) {
            trees.put(e.getKey(), e.getValue());
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
        JsonNode schema = trees.get(kind);
        if (schema != null && spec != null && spec.isObject()) {
            walk(kind, schema, spec, "", "spec", c);
        }
    }

    /**
     * The value against its schema, then its children against theirs: {@code properties} by name, else
     * {@code additionalProperties} (a map's values), {@code items} for a list. Istio's CRD schemas declare every field
     * that way (their {@code oneOf}s only say which fields exclude each other), so this reaches every enum and type.
     */
    private static void walk(String kind, JsonNode schema, JsonNode value, String path, String name, SpecChecker c) {
        if (schema == null || !schema.isObject() || value == null || value.isNull()) {
            return;
        }
        Optional<String[]> problem = wrongType(kind, schema, value, name);
        if (problem.isEmpty() && schema.has("enum")) {
            problem = unknownValue(kind, schema, value);
        }
        if (problem.isPresent()) {
            c.errorAtValue(path, problem.get()[0], problem.get()[1]);
            return;
        }
        if (value.isObject()) {
            for (Map.Entry<String, JsonNode> e : value.properties()) {
                JsonNode named = schema.path("properties").get(e.getKey());
                walk(kind, named != null ? named : schema.get("additionalProperties"), e.getValue(),
                        SpecChecker.child(path, e.getKey()), e.getKey(), c);
            }
        } else if (value.isArray()) {
            for (int i = 0; i < value.size(); i++) {
                walk(kind, schema.get("items"), value.get(i), path + "/" + i, name, c);
            }
        }
    }

    private static Optional<String[]> unknownValue(String kind, JsonNode field, JsonNode value) {
        if (!value.isString()) {
            return Optional.empty();  // jsonpb takes an enum's number; a wrong type is the `type` keyword's
        }
        List<String> allowed = new ArrayList<>();
        field.path("enum").forEach(v -> allowed.add(v.asString()));
        String given = value.asString();
        if (allowed.contains(given)) {
            return Optional.empty();
        }
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
}

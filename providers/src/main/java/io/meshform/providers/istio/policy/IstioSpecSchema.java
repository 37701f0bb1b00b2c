package io.meshform.providers.istio.policy;

import io.meshform.engine.diag.Quote;
import io.meshform.engine.diag.Suggestions;
import io.meshform.engine.diag.ValueDescription;
import io.meshform.providers.kubernetes.SpecChecker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * The values and types one Istio kind's spec allows, read from Istio's own CRD schema (istio-spec-schemas/KIND.json:
 * the {@code openAPIV3Schema} of the kind's spec in manifests/charts/base/files/crd-all.gen.yaml of Istio 1.30.3, and
 * the apiVersions istioctl decodes it under, copied by testbed/gen-istio-schemas.py for every kind of the {@code Pilot}
 * collection, pkg/config/schema/collections/collections.gen.go, which is what {@code istioctl validate} decodes),
 * walked beside the spec. It explains, at the value and with the allowed values, what {@code istioctl validate}
 * refuses in its decoder's words ({@code cannot parse proto message: unknown value "\"STRICTT\"" for enum ...}), and
 * works without istioctl. Walked by hand rather than with a JSON Schema validator: networknt's took 130 ms to 1.6 s to
 * set up on every run that loads an Istio policy (measured with the class cache and without), and only two keywords
 * matter here. {@link IstioSpecSchemas} reads a kind's file only when a run meets an object of that kind.
 *
 * <p>Reported is what istioctl or the API server refuses (istioctl 1.30.3 run on each case, IstioSpecSchemaTest; the
 * API server with Istio's CRDs, IstioCrdSchemaIT). istioctl decodes the spec strictly with
 * github.com/golang/protobuf's jsonpb (istioctl/pkg/validate/validate.go {@code fromSchemaAndJSONMap} →
 * pkg/config/model.go {@code ApplyJSONStrict} → pkg/util/protomarshal/protomarshal.go {@code ApplyJSONStrict}, Istio
 * 1.30.3), which accepts an enum by its number ({@code mode: 3}), a number written as a string
 * ({@code randomSamplingPercentage: "10"}, {@code maxConnections: "10"}) and {@code null} for any field; the API server
 * checks the object against the CRD's schema, whose enums are {@code type: string} and whose numbers are
 * {@code type: integer} or {@code number} (Istio's CRDs mark no spec field {@code x-kubernetes-int-or-string}), and
 * refuses the first two ("expected string, got ... 3", "expected numeric (int or float), got string"), so validate
 * and plan passed them and the apply failed. {@code null} is left alone (the API server drops it), and so is a
 * number's range. Reported: a string not among an enum's values (names are case-sensitive), and a value whose JSON
 * type is not the field's: a scalar or list for a mapping (a {@code google.protobuf.Struct} too), a scalar or mapping
 * for a list, anything but a string for a string or enum, anything but true/false for a boolean, anything but a number
 * for a number. A field the schema does not name (a newer Istio's field, a typo) is not walked: istioctl's own message
 * stays the one shown, never a guess from this schema; except a proto name ({@code traffic_policy}) whose JSON name
 * the schema declares, which istioctl takes and the API server refuses ({@link #protoName}).
 */
final class IstioSpecSchema {
    private final String release;
    private final String kind;
    private final Set<String> apiVersions;
    private final JsonNode spec;

    IstioSpecSchema(String release, String kind, Set<String> apiVersions, JsonNode spec) {
        this.release = release;
        this.kind = kind;
        this.apiVersions = Set.copyOf(apiVersions);
        this.spec = spec;
    }

    /** The kind's file as testbed/gen-istio-schemas.py wrote it. */
    static IstioSpecSchema of(JsonNode file) {
        Set<String> versions = new TreeSet<>();
        file.path("apiVersions").forEach(v -> versions.add(v.asString()));
        return new IstioSpecSchema(file.path("istio").asString(), file.path("kind").asString(), versions, file.path("spec"));
    }

    /** The Istio release whose CRD this is ("1.30.3"). */
    String release() {
        return release;
    }

    String kind() {
        return kind;
    }

    /** The apiVersions istioctl decodes the kind under, sorted ("networking.istio.io/v1", ...). */
    List<String> apiVersions() {
        return List.copyOf(new TreeSet<>(apiVersions));
    }

    /** True when istioctl decodes an object of this apiVersion as this kind (other versions it does not judge). */
    boolean decodes(String apiVersion) {
        return apiVersions.contains(apiVersion);
    }

    /** Checks {@code spec} (paths relative to it) against the kind's schema; fields it does not know are skipped. */
    void check(JsonNode value, SpecChecker c) {
        if (value != null && value.isObject()) {
            walk(kind, spec, value, "", "spec", c);
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
                if (named == null && protoName(kind, schema, e.getKey(), path, c)) {
                    continue;
                }
                walk(kind, named != null ? named : schema.get("additionalProperties"), e.getValue(),
                        SpecChecker.child(path, e.getKey()), e.getKey(), c);
            }
        } else if (value.isArray()) {
            for (int i = 0; i < value.size(); i++) {
                walk(kind, schema.get("items"), value.get(i), path + "/" + i, name, c);
            }
        }
    }

    /**
     * A field written by its protobuf name ({@code not_paths}) where the CRD's schema declares only the JSON name
     * ({@code notPaths}): istioctl validate decodes the spec with jsonpb, which takes both, so validate and plan passed
     * it, but the API server checks the object against the CRD's schema (meshform applies with
     * {@code fieldValidation=Strict}) and refused the apply ("field not declared in schema"). A proto name the schema
     * declares ({@code jwks_uri}, {@code mirror_percent} in Istio 1.30.3) is a property like any other and never gets
     * here. True when it was reported.
     */
    private static boolean protoName(String kind, JsonNode schema, String key, String path, SpecChecker c) {
        if (!key.contains("_") || !schema.path("properties").isObject()) {
            return false;
        }
        String json = jsonName(key);
        if (json.equals(key) || !schema.path("properties").has(json)) {
            return false;
        }
        c.error(SpecChecker.child(path, key), "`" + key + "` is the protobuf name of `" + json + "`, which the API server"
                + " refuses", "write `" + json + "`: istioctl validate takes either name, but " + kind + "'s CRD schema"
                + " declares only `" + json + "`, so the apply would fail (field not declared in schema)");
        return true;
    }

    /** protobuf's JSON name of a field: {@code not_paths} is {@code notPaths}. */
    static String jsonName(String protoName) {
        StringBuilder out = new StringBuilder(protoName.length());
        boolean upper = false;
        for (char ch : protoName.toCharArray()) {
            if (ch == '_') {
                upper = out.length() > 0;
            } else {
                out.append(upper ? Character.toUpperCase(ch) : ch);
                upper = false;
            }
        }
        return out.toString();
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
            // jsonpb takes an enum's number and a number written as a string; the API server refuses both (CRD types)
            case "string" -> !value.isString();
            case "boolean" -> !value.isBoolean();
            case "integer", "number" -> !value.isNumber();
            default -> false;
        };
        if (!refused) {
            return Optional.empty();
        }
        String message = "must be " + what(expected) + " in Istio's " + kind + ", found " + ValueDescription.of(value);
        String hint = hint(field, expected, value, name);
        if (value.isNumber() && field.has("enum")) {
            List<String> names = new ArrayList<>();
            field.path("enum").forEach(v -> names.add(v.asString()));
            hint = "write the value's name, one of " + String.join(", ", names) + ": istioctl validate takes an enum's"
                    + " number, but the API server refuses anything but the name (the CRD's schema, type string)";
        } else if (value.isString() && ("integer".equals(expected) || "number".equals(expected))) {
            hint = (value.asString().matches("-?\\d+(\\.\\d+)?") ? "write " + value.asString() + " without quotes"
                    : "write a number") + ": istioctl validate takes a number written as a string, but the API server"
                    + " refuses it (the CRD's schema, type " + expected + ")";
        }
        return Optional.of(new String[] {message, hint});
    }

    private static String what(String type) {
        return switch (type) {
            case "object" -> "a mapping";
            case "array" -> "a list";
            case "boolean" -> "true or false";
            case "integer", "number" -> "a number";
            default -> "a " + type;
        };
    }

    /** For a mapping given a value one of its fields takes ({@code mtls: STRICT}), that field; else its fields. */
    private static String hint(JsonNode field, String expected, JsonNode value, String name) {
        if ("object".equals(expected) && !field.path("properties").isObject()) {
            return "write a mapping (`key: value` lines or `{...}`)";
        }
        if ("object".equals(expected)) {
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
        if ("string".equals(expected) && duration(field)) {
            return "write a duration with its unit, e.g. `5s` or `100ms` (a protobuf Duration)";
        }
        return switch (expected) {
            case "string" -> "quote the value";
            case "integer", "number" -> "write a number";
            default -> "write true or false";
        };
    }

    /** A Duration field: its CRD rule parses it as one ({@code duration(self) >= duration('1ms')}). */
    private static boolean duration(JsonNode field) {
        for (JsonNode rule : field.path("x-kubernetes-validations")) {
            if (rule.path("rule").asString("").contains("duration(self)")) {
                return true;
            }
        }
        return false;
    }
}

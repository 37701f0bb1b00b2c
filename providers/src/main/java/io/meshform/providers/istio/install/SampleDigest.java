package io.meshform.providers.istio.install;

import io.meshform.providers.kubernetes.Json;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * What meshform keeps of one object of Istio's sample addons: the SHA-256 of its canonical JSON (keys sorted at every
 * level, {@link Json#canonical}, written compactly), and a short digest of each of its fields, so a plan can say
 * which fields of an addon file's object differ from the sample without the sample's text.
 *
 * <p>The object is taken as meshform applies it: parsed with the stack file's YAML rules and with istio-system put in
 * where the file names no namespace ({@link IstioAddons}). So quoting, indentation, key order and comments do not
 * change a digest; a changed value, key or list element does.
 *
 * <p>A field is a path (a JSON Pointer) to a node small enough to read at a glance: a scalar, or a container whose
 * canonical JSON is under {@link #SPLIT_BYTES} bytes ({@code /rules/3}, a container's {@code env}); a larger one is
 * split into its children, down to {@link #MAX_DEPTH} levels ({@code /spec/template/spec/containers/0/image}, and each
 * of Grafana's dashboards is one field). So a warning names a rule or a container's image, and the committed file
 * stays small (a Deployment has about 25 fields, not its 150 leaves). The identity ({@code apiVersion, kind,
 * metadata.name, metadata.namespace}) is no field: it is how the sample object was found. Field digests are the first
 * {@link #FIELD_HEX} hex digits of the SHA-256 of the field's canonical JSON: they only say where an object differs;
 * whether it differs is the full digest's answer.
 */
record SampleDigest(String sha256, Map<String, String> fields) {
    static final int SPLIT_BYTES = 512;
    static final int MAX_DEPTH = 8;
    static final int FIELD_HEX = 12;
    private static final java.util.Set<String> IDENTITY = java.util.Set.of("/apiVersion", "/kind", "/metadata/name",
            "/metadata/namespace");

    SampleDigest {
        fields = Map.copyOf(fields);
    }

    static SampleDigest of(JsonNode object) {
        Map<String, String> fields = new TreeMap<>();
        collect(object, "", 0, fields);
        return new SampleDigest(Json.sha256(Json.canonical(object).toString()), fields);
    }

    private static void collect(JsonNode node, String path, int depth, Map<String, String> out) {
        if (depth > 0) {
            String canonical = Json.canonical(node).toString();
            if (!node.isContainer() || node.isEmpty() || depth >= MAX_DEPTH
                    || canonical.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < SPLIT_BYTES) {
                if (!IDENTITY.contains(path)) {
                    out.put(path, Json.sha256(canonical).substring(0, FIELD_HEX));
                }
                return;
            }
        }
        if (node.isObject()) {
            node.properties().forEach(e -> collect(e.getValue(), path + "/" + Json.escape(e.getKey()), depth + 1, out));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collect(node.get(i), path + "/" + i, depth + 1, out);
            }
        }
    }

    /**
     * Where {@code this} (an addon file's object) differs from {@code sample}, shortest first within each kind:
     * "rules[3].verbs" for a changed field, "rules[12] (added)" for a field the sample lacks (named where the
     * addition starts), "spec.replicas (removed)" for one the file leaves out.
     */
    List<String> differences(SampleDigest sample) {
        Set<String> out = new LinkedHashSet<>();
        List<String> ours = fields.keySet().stream().sorted(DOCUMENT_ORDER).toList();
        List<String> theirs = sample.fields.keySet().stream().sorted(DOCUMENT_ORDER).toList();
        for (String path : ours) {
            String digest = sample.fields.get(path);
            if (digest != null && !digest.equals(fields.get(path))) {
                out.add(display(path));
            }
        }
        Set<String> sampleSteps = steps(sample.fields.keySet());
        Set<String> ourSteps = steps(fields.keySet());
        ours.stream().filter(p -> !sample.fields.containsKey(p))
                .forEach(p -> out.add(display(firstStepOutside(p, sampleSteps)) + " (added)"));
        theirs.stream().filter(p -> !fields.containsKey(p))
                .forEach(p -> out.add(display(firstStepOutside(p, ourSteps)) + " (removed)"));
        return new ArrayList<>(out);
    }

    /** Paths step by step, list indexes as numbers: rules/2 before rules/10. */
    private static final java.util.Comparator<String> DOCUMENT_ORDER = (a, b) -> {
        String[] x = a.split("/");
        String[] y = b.split("/");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c = x[i].matches("\\d+") && y[i].matches("\\d+")
                    ? Integer.compare(Integer.parseInt(x[i]), Integer.parseInt(y[i])) : x[i].compareTo(y[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    };

    /** Every path and each of its ancestors ("/a/b/c" gives "/a", "/a/b", "/a/b/c"). */
    private static Set<String> steps(Set<String> paths) {
        Set<String> out = new java.util.HashSet<>();
        for (String p : paths) {
            for (int i = p.indexOf('/', 1); i > 0; i = p.indexOf('/', i + 1)) {
                out.add(p.substring(0, i));
            }
            out.add(p);
        }
        return out;
    }

    /** The shortest ancestor of {@code path} (or the path itself) that {@code others} does not have. */
    private static String firstStepOutside(String path, Set<String> others) {
        for (int i = path.indexOf('/', 1); i > 0; i = path.indexOf('/', i + 1)) {
            if (!others.contains(path.substring(0, i))) {
                return path.substring(0, i);
            }
        }
        return path;
    }

    /** "/spec/template/spec/containers/0/image" as "spec.template.spec.containers[0].image", for people. */
    static String display(String pointer) {
        StringBuilder sb = new StringBuilder();
        for (String raw : pointer.substring(1).split("/", -1)) {
            String step = raw.replace("~1", "/").replace("~0", "~");
            if (step.matches("\\d+")) {
                sb.append('[').append(step).append(']');
            } else if (step.matches("[A-Za-z0-9_-]+")) {
                sb.append(sb.isEmpty() ? "" : ".").append(step);
            } else {
                sb.append("[\"").append(step).append("\"]");
            }
        }
        return sb.toString();
    }
}

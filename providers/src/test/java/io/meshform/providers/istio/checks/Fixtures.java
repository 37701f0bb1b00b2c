package io.meshform.providers.istio.checks;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.SourceLocator;
import io.meshform.providers.kubernetes.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads the fixtures under src/test/resources/istio-fixtures (Istio's own test data and docs, see the README there)
 * and keeps the tally each suite reports: cases, agreed, missed (Istio says so, meshform does not), false alarms
 * (meshform says so, Istio does not).
 */
final class Fixtures {
    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    private static final KubernetesSerialization K8S = new KubernetesSerialization();

    private Fixtures() {
    }

    static Path root() {
        Path p = Path.of("src/test/resources/istio-fixtures");
        return Files.isDirectory(p) ? p : Path.of("providers/src/test/resources/istio-fixtures");
    }

    /** The documents of a YAML file (comments and empty documents dropped). */
    static List<JsonNode> docs(String relative) {
        try {
            List<JsonNode> out = new ArrayList<>();
            try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(Files.readString(root().resolve(relative)))) {
                while (it.hasNext()) {
                    JsonNode d = it.next();
                    if (d != null && d.isObject() && !d.isEmpty()) {
                        out.add(d);
                    }
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode one(String relative) {
        return docs(relative).get(0);
    }

    static String text(String relative) {
        try {
            return Files.readString(root().resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Pod pod(JsonNode doc) {
        return K8S.unmarshal(doc.toString(), Pod.class);
    }

    /** A fixture object as if a stack declared it as an inline kubernetes.manifest (no line to point at). */
    static PlannedObject planned(JsonNode object, int index) {
        ObjectNode spec = Json.object();
        spec.set("manifest", object.deepCopy());
        ResourceDecl decl = new ResourceDecl(ResourceAddress.parse("kubernetes.manifest.fixture_" + index), List.of(), spec,
                SourceLocator.none("fixture"));
        return new PlannedObject((ObjectNode) object.deepCopy(), decl, PlannedObject.Form.INLINE);
    }

    static boolean istio(JsonNode doc) {
        String v = Json.text(doc, "apiVersion");
        return v != null && v.contains(".istio.io/");
    }

    /** One suite's counts. */
    static final class Tally {
        final String suite;
        int cases;
        int agreed;
        final List<String> missed = new ArrayList<>();
        final List<String> falseAlarms = new ArrayList<>();

        Tally(String suite) {
            this.suite = suite;
        }

        /** One case: what Istio says (expected) against what meshform says (found). */
        void judge(String what, boolean expected, boolean found) {
            cases++;
            if (expected == found) {
                agreed++;
            } else if (expected) {
                missed.add(what);
            } else {
                falseAlarms.add(what);
            }
        }

        String line() {
            return String.format("[fixtures] %-44s %3d cases, %3d agreed, %d missed, %d false alarms%s", suite, cases, agreed,
                    missed.size(), falseAlarms.size(), missed.isEmpty() && falseAlarms.isEmpty() ? ""
                            : " (missed " + missed + ", false alarms " + falseAlarms + ")");
        }
    }
}

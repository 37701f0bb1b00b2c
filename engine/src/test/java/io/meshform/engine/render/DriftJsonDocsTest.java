package io.meshform.engine.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.SourceRange;
import io.meshform.engine.drift.DriftEntry;
import io.meshform.engine.drift.DriftKind;
import io.meshform.engine.drift.DriftReport;
import io.meshform.engine.drift.NotChecked;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.PlanDetail;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Every field {@code drift --format json} writes is described in docs/plan-json.md's "Drift JSON", for the scripts
 * written from it: the real report's {@code notes} (e.g. "istioctl analyze skipped (--no-analyze)") and the failed
 * check's {@code error} (with {@code drift_found: null}) were in no line of it.
 */
class DriftJsonDocsTest {
    private static final Path DOC = Path.of("..").toAbsolutePath().normalize().resolve("docs/plan-json.md");

    @Test
    void everyFieldOfTheDriftJsonIsDocumented() throws IOException {
        ResourceAddress a = ResourceAddress.parse("istio.peerAuthentication.strict");
        var value = JsonNodeFactory.instance.objectNode().put("name", "default");
        DriftReport report = new DriftReport("demo", List.of(a), List.of(
                new DriftEntry(a, DriftKind.CHANGED, "changed outside meshform", value, value,
                        List.of(PlanDetail.note("~ x")), null, null, null),
                new DriftEntry(null, DriftKind.WEAKENED, "weaker", null, null, List.of(),
                        Diagnostic.warning("weaker", "why", new SourceRange("s.yaml", 3, 5)), null, "mtls-check"),
                new DriftEntry(a, DriftKind.DEPOSED, "old object", null, value, List.of(), null, "0a1b2c3d", null)),
                List.of(ResourceAddress.parse("kubernetes.namespace.ns")),
                List.of(new NotChecked(a, "a sensitive value", List.of(PlanDetail.note("? x")))),
                List.of(Diagnostic.info("istioctl analyze skipped", "detail", new SourceRange("s.yaml", 1, 1))), true);
        Set<String> fields = new TreeSet<>();
        JsonMapper mapper = JsonMapper.builder().build();
        collect(mapper.readTree(new DriftFormats().render(report, "json", Style.plain())), fields);
        collect(mapper.readTree(new DriftFormats().failure("demo", "the cluster did not answer", "json")), fields);
        String doc = Files.readString(DOC);
        String section = doc.substring(doc.indexOf("## Drift JSON"));
        assertEquals(Set.of(), fields.stream().filter(f -> !section.contains("`" + f + "`")
                && !section.contains("`" + f + "[]`")).collect(java.util.stream.Collectors.toSet()),
                "fields of drift --format json that docs/plan-json.md's Drift JSON does not describe");
    }

    private static void collect(JsonNode node, Set<String> into) {
        if (node.isObject()) {
            for (var e : node.properties()) {
                into.add(e.getKey());
                if (!Set.of("applied", "live").contains(e.getKey())) {  // the resource's value, in its spec's shape
                    collect(e.getValue(), into);
                }
            }
        } else if (node.isArray()) {
            node.forEach(n -> collect(n, into));
        }
    }
}

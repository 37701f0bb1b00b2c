package io.meshform.providers.istio.install;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import io.meshform.engine.plan.Sensitive;
import io.meshform.engine.spi.PlanDetail;
import io.meshform.providers.istio.install.IstioAddons.Addon;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.KubeObjects.Target;
import io.meshform.providers.kubernetes.ManifestSensitive;
import io.meshform.providers.kubernetes.ParallelLists;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/**
 * The addon objects in a plan, as a reviewer must see them (audit A, H3): every document of an addon file is applied,
 * so the plan shows what each one will be, not only its kind and name. An object to create has its whole body under
 * its line ({@code + ClusterRoleBinding kiali [addon kiali]}), as a {@code kubernetes.manifest} shows its manifest; an
 * object that differs has a diff of the fields that change, live against planned. Values are masked as a manifest's
 * are ({@link ManifestSensitive#objectPaths}: kubectl's last-applied copy, a Secret's data and annotations).
 *
 * <p>The body lines are notes, indented under the object's line: text, the JSON plan's {@code details} and the
 * Markdown plan all carry them, and they count as no change of their own (a saved plan reads them back as notes,
 * since they start with a space). Objects that grant rights or run code come first and ConfigMaps last, so a
 * Markdown plan cut for GitHub's comment limit folds Grafana's dashboards, not a binding.
 *
 * <p>An object identical to Istio's sample of the release installed ({@link AddonSampleCheck}) is one line in the text
 * and Markdown plans ({@code + ConfigMap istio-system/grafana [addon grafana]: identical to Istio 1.30.3
 * samples/addons/grafana.yaml (sha256 …)}): its body lines are folded, kept only in the JSON plan. Anything else is
 * shown in full, and the plan warns about it.
 */
final class AddonDetails {
    /** Where a body line starts under its object's line. */
    static final String BODY = "    ";
    private static final int CONTEXT_LINES = 2;
    /** The order objects are shown in: what grants and runs first, what is large and inert last. */
    private static final List<String> ORDER = List.of("ClusterRole", "Role", "ClusterRoleBinding", "RoleBinding",
            "ServiceAccount", "Deployment", "Service", "ConfigMap");

    /** Built on first use: a no-op plan with no addon object to show never builds a YAML writer. */
    private static final class Yaml {
        static final YAMLMapper MAPPER = YAMLMapper.builder()
                .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
                .enable(YAMLWriteFeature.MINIMIZE_QUOTES)
                .enable(YAMLWriteFeature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                .enable(YAMLWriteFeature.LITERAL_BLOCK_STYLE)
                .build();
    }

    private AddonDetails() {
    }

    private record Entry(Addon addon, int index, ObjectNode object) {
        Target collection() {
            return new Target(Json.text(object, "apiVersion"), Json.text(object, "kind"),
                    Json.text(object.path("metadata"), "namespace"), null);
        }

        int rank() {
            int i = ORDER.indexOf(Json.text(object, "kind"));
            return i < 0 ? -1 : i;  // a kind not listed (never in an addon file that passed AddonRules) first
        }
    }

    /**
     * One line per addon object that is missing ({@code +}, with its body) or differs ({@code ~}, with the changed
     * paths and a diff), from one LIST per kind and namespace.
     */
    static List<PlanDetail> compare(Map<Addon, List<ObjectNode>> wanted, Function<Target, Map<String, JsonNode>> lister,
                                    AddonSampleCheck samples) {
        List<Entry> entries = new ArrayList<>();
        wanted.forEach((a, list) -> {
            for (int i = 0; i < list.size(); i++) {
                entries.add(new Entry(a, i, list.get(i)));
            }
        });
        Map<Target, Boolean> collections = new LinkedHashMap<>();
        entries.forEach(e -> collections.put(e.collection(), true));
        Map<Target, Map<String, JsonNode>> listed = ParallelLists.each(collections.keySet(), lister);
        entries.sort(Comparator.comparingInt(Entry::rank).thenComparing(Entry::addon).thenComparingInt(Entry::index));
        List<PlanDetail> out = new ArrayList<>();
        for (Entry e : entries) {
            JsonNode have = listed.get(e.collection()).get(Json.text(e.object().path("metadata"), "name"));
            out.addAll(details(e.addon(), e.object(), have, samples.verdict(e.object())));
        }
        return out;
    }

    /** The lines of one addon object against its live version ({@code have}: null when it does not exist). */
    static List<PlanDetail> details(Addon addon, ObjectNode want, JsonNode have) {
        return details(addon, want, have, AddonSampleCheck.none().verdict(want));
    }

    /**
     * The same, folded when {@code sample} says the object is Istio's own: its line says so, with the object's digest,
     * and its body or diff lines are {@link PlanDetail#folded} (the JSON plan keeps them).
     */
    static List<PlanDetail> details(Addon addon, ObjectNode want, JsonNode have, AddonSampleCheck.Verdict sample) {
        boolean identical = sample.match() == AddonSampleCheck.Match.IDENTICAL;
        String tag = " [addon " + addon.key + "]" + (identical ? ": " + sample.identical() : "");
        Function<String, PlanDetail> bodyLine = identical ? PlanDetail::folded : PlanDetail::note;
        Set<String> sensitive = ManifestSensitive.objectPaths(want);
        List<PlanDetail> out = new ArrayList<>();
        if (have == null) {
            out.add(PlanDetail.add(RenderDiff.describe(want) + tag));
            lines(yaml(Sensitive.mask(want, sensitive))).forEach(l -> out.add(bodyLine.apply(BODY + l)));
            return out;
        }
        JsonNode liveObj = NoiseRules.ignored(have);
        JsonNode wantObj = NoiseRules.withoutZeroesMissingIn(NoiseRules.ignored(want), liveObj);
        JsonNode liveProjected = Json.project(liveObj, wantObj);
        List<String> paths = RenderDiff.summarize(Json.paths(liveProjected, wantObj));
        if ("ConfigMap".equals(Json.text(want, "kind"))) {
            paths = RenderDiff.insideConfig(paths, liveObj.path("data"), wantObj.path("data"));
        }
        if (paths.isEmpty()) {
            return out;
        }
        out.add(PlanDetail.change(RenderDiff.describe(want) + " (" + String.join(", ", paths.subList(0, Math.min(3, paths.size())))
                + (paths.size() > 3 ? ", ..." : "") + ")" + tag));
        JsonNode[] masked = Sensitive.maskPair(liveProjected, wantObj, sensitive);
        List<String> before = lines(yaml(masked[0]));
        List<String> after = lines(yaml(masked[1]));
        List<String> unified = UnifiedDiffUtils.generateUnifiedDiff("live", "planned", before, DiffUtils.diff(before, after),
                CONTEXT_LINES);
        // The two header lines name the sides; each hunk starts with its "@@" line.
        unified.stream().skip(Math.min(2, unified.size())).forEach(l -> out.add(bodyLine.apply(BODY + l)));
        return out;
    }

    static String yaml(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? "" : Yaml.MAPPER.writeValueAsString(node);
    }

    private static List<String> lines(String text) {
        String[] parts = text.split("\n", -1);
        return List.of(parts).subList(0, text.endsWith("\n") ? parts.length - 1 : parts.length);
    }
}

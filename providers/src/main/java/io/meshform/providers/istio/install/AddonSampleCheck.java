package io.meshform.providers.istio.install;

import io.meshform.providers.istio.install.IstioAddons.Addon;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Each addon object of a plan against Istio's own sample of the release the stack installs ({@link AddonSamples}).
 * An object identical to the sample needs no review beyond "it is Istio's": the plan folds its body into one line
 * (Grafana's dashboards are 240 KB of JSON nobody reads). One that differs, or that the sample lacks, is what a
 * reviewer must read (a broader ClusterRole, another image, an extra env var): the plan shows it in full and warns,
 * naming the fields, and {@code --strict} makes the warning an error. A release meshform has no digests of is said
 * once, and everything is shown.
 */
final class AddonSampleCheck {
    /** How many differing fields a warning names before "and N more". */
    private static final int NAMED_FIELDS = 6;
    private static final int SHORT_SHA = 12;

    enum Match { IDENTICAL, DIFFERS, NOT_IN_SAMPLE, UNCOMPARED }

    /** One object's answer; {@code fields} are the differing ones, for {@link Match#DIFFERS}. */
    record Verdict(Match match, String release, String file, String sha256, List<String> fields) {
        /** "identical to Istio 1.30.3 samples/addons/grafana.yaml (sha256 1f9ee332c828…)". */
        String identical() {
            return "identical to Istio " + release + " samples/addons/" + file + " (sha256 " + sha256.substring(0, SHORT_SHA) + "…)";
        }
    }

    private final Map<ObjectNode, Verdict> verdicts;
    private final List<String> warnings;

    private AddonSampleCheck(Map<ObjectNode, Verdict> verdicts, List<String> warnings) {
        this.verdicts = verdicts;
        this.warnings = List.copyOf(warnings);
    }

    /** No addons, or no comparison: every object is shown in full and nothing is said. */
    static AddonSampleCheck none() {
        return new AddonSampleCheck(new IdentityHashMap<>(), List.of());
    }

    /** Compares the objects of {@code wanted} with the samples of Istio {@code version}. */
    static AddonSampleCheck of(AddonSamples samples, String version, Map<Addon, List<ObjectNode>> wanted) {
        Map<ObjectNode, Verdict> verdicts = new IdentityHashMap<>();
        List<String> warnings = new ArrayList<>();
        if (wanted.isEmpty()) {
            return new AddonSampleCheck(verdicts, warnings);
        }
        Optional<Map<String, Map<String, SampleDigest>>> release = samples.release(version);
        if (release.isEmpty()) {
            warnings.add("addons: meshform has no digests of Istio " + version + "'s samples/addons (it has them for "
                    + String.join(", ", new TreeSet<>(samples.releases().keySet())) + "), so the addon files could not be"
                    + " compared with Istio's samples; every addon object is shown in full for review");
            wanted.values().forEach(list -> list.forEach(o -> verdicts.put(o, new Verdict(Match.UNCOMPARED, version, null, null, List.of()))));
            return new AddonSampleCheck(verdicts, warnings);
        }
        wanted.forEach((addon, list) -> {
            Map<String, SampleDigest> sample = release.get().getOrDefault(addon.file, Map.of());
            for (ObjectNode o : list) {
                Verdict v = verdict(version, addon.file, sample.get(AddonSamples.identity(o)), o);
                verdicts.put(o, v);
                String warning = warning(v, o);
                if (warning != null) {
                    warnings.add(warning);
                }
            }
        });
        return new AddonSampleCheck(verdicts, warnings);
    }

    private static Verdict verdict(String version, String file, SampleDigest sample, JsonNode object) {
        if (sample == null) {
            return new Verdict(Match.NOT_IN_SAMPLE, version, file, null, List.of());
        }
        SampleDigest ours = SampleDigest.of(object);
        if (ours.sha256().equals(sample.sha256())) {
            return new Verdict(Match.IDENTICAL, version, file, ours.sha256(), List.of());
        }
        List<String> fields = ours.differences(sample);
        // The full digests differ, so something does, even if no field digest shows it (a 48-bit collision).
        return new Verdict(Match.DIFFERS, version, file, ours.sha256(), fields.isEmpty() ? List.of("(its content)") : fields);
    }

    private static String warning(Verdict v, JsonNode object) {
        String what = v.file() + ": " + RenderDiff.describe(object);
        return switch (v.match()) {
            case DIFFERS -> what + " differs from Istio " + v.release() + "'s sample: " + named(v.fields());
            case NOT_IN_SAMPLE -> what + " is not in Istio " + v.release() + "'s samples/addons/" + v.file();
            default -> null;
        };
    }

    /**
     * The fields, or when there are many, per top-level field: a rule added at the top of a ClusterRole moves every
     * rule after it, and "rules (11 fields)" says so better than eleven indexes.
     */
    static String named(List<String> fields) {
        List<String> shown = fields;
        if (fields.size() > NAMED_FIELDS) {
            Map<String, List<String>> byTop = new java.util.LinkedHashMap<>();
            fields.forEach(f -> byTop.computeIfAbsent(f.split("[.\\[ ]", 2)[0], k -> new ArrayList<>()).add(f));
            shown = byTop.entrySet().stream().map(e -> e.getValue().size() == 1 ? e.getValue().get(0)
                    : e.getKey() + " (" + e.getValue().size() + " fields)").toList();
        }
        if (shown.size() <= NAMED_FIELDS) {
            return String.join(", ", shown);
        }
        return String.join(", ", shown.subList(0, NAMED_FIELDS)) + " and " + (shown.size() - NAMED_FIELDS) + " more";
    }

    /** The verdict on one object of the map this check was made from; {@link Match#UNCOMPARED} for any other. */
    Verdict verdict(ObjectNode object) {
        return verdicts.getOrDefault(object, new Verdict(Match.UNCOMPARED, null, null, null, List.of()));
    }

    /** The plan's warnings: one per object that differs or is not in the sample, or one for a release without digests. */
    List<String> warnings() {
        return warnings;
    }
}

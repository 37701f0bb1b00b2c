package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * A namespace's (or any object's) labels as the labels and namespace types judge them: live, after an apply, and
 * before a removal of meshform's keys. Pure functions of the values given; the types decide what to do with them.
 */
final class LiveLabels {
    private LiveLabels() {
    }

    /** metadata.labels or metadata.annotations of an object read as JSON; null when it has none (as fabric8's getter). */
    static Map<String, String> stringsAt(JsonNode live, String field) {
        JsonNode m = live.path("metadata").get(field);
        return m == null || !m.isObject() ? null : Json.stringMap(m);
    }

    /** The labels of an object read as JSON; empty when it has none. */
    static Map<String, String> of(JsonNode live) {
        Map<String, String> labels = stringsAt(live, MetadataMapsType.LABELS);
        return labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** The labels of a typed object; empty when it is null or has none. */
    static Map<String, String> of(HasMetadata live) {
        return live == null || live.getMetadata().getLabels() == null ? Map.of() : Map.copyOf(live.getMetadata().getLabels());
    }

    /**
     * Every label the object will carry after apply: the live ones, less those meshform sees (declared or owned) and
     * drops, plus the declared ones. Other managers' labels stay, and they count for injection.
     */
    static Map<String, String> after(Map<String, String> live, JsonNode before, JsonNode desired) {
        Map<String, String> out = new TreeMap<>(live);
        Json.stringMap(before.get(MetadataMapsType.LABELS)).keySet().forEach(out::remove);
        out.putAll(Json.stringMap(desired.get(MetadataMapsType.LABELS)));
        return out;
    }

    /**
     * The labels a removal of meshform's keys (a labels resource destroyed, an adopted namespace released) goes from:
     * the live ones, plus the recorded keys the object no longer has. A removal cut short after its write (Ctrl-C,
     * SIGTERM or kill -9 during the restarts) keeps its state entry, and the next apply's removal found meshform's keys
     * already gone: judged from the live labels alone, injection did not change, so it restarted nothing while the plan
     * promised the restarts and the pods kept their old sidecar state.
     */
    static Map<String, String> beforeRemoval(Map<String, String> live, JsonNode recorded) {
        Map<String, String> out = new TreeMap<>(Json.stringMap(recorded.get(MetadataMapsType.LABELS)));
        out.putAll(live);
        return out;
    }
}

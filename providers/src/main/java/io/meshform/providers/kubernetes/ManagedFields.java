package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * Who owns which key of a map field ({@code metadata.labels}, {@code metadata.annotations}, top-level
 * {@code spec} keys), read from an object's managedFields.
 */
public record ManagedFields(Map<String, Set<String>> ownersByKey) {

    public static final ManagedFields NONE = new ManagedFields(Map.of());

    /** Owners of the keys under {@code path}, e.g. ["metadata", "labels"] or ["spec"], of a typed object. */
    public static ManagedFields of(HasMetadata obj, String... path) {
        return obj == null ? NONE : of(Json.toNode(obj), path);
    }

    /** Owners of the keys under {@code path}, from {@code metadata.managedFields[].fieldsV1}. */
    public static ManagedFields of(JsonNode obj, String... path) {
        JsonNode entries = obj == null ? null : obj.path("metadata").get("managedFields");
        if (entries == null || !entries.isArray()) {
            return NONE;
        }
        Map<String, Set<String>> owners = new TreeMap<>();
        for (JsonNode entry : entries) {
            JsonNode node = entry.get("fieldsV1");
            if (node == null || !node.isObject()) {
                continue;
            }
            for (String p : path) {
                node = node == null ? null : node.get("f:" + p);
            }
            if (node != null && node.isObject()) {
                for (String key : node.propertyNames()) {
                    if (key.startsWith("f:")) {
                        owners.computeIfAbsent(key.substring(2), x -> new TreeSet<>()).add(Json.text(entry, "manager"));
                    }
                }
            }
        }
        return new ManagedFields(Collections.unmodifiableMap(owners));
    }

    public Set<String> owners(String key) {
        return ownersByKey.getOrDefault(key, Set.of());
    }

    public boolean ownedBy(String key, String manager) {
        return owners(key).contains(manager);
    }

    /** Keys owned by {@code manager}. */
    public Set<String> keysOf(String manager) {
        Set<String> out = new TreeSet<>();
        ownersByKey.forEach((k, v) -> {
            if (v.contains(manager)) {
                out.add(k);
            }
        });
        return out;
    }

    /** For each key, the managers other than {@code manager} that own it. */
    public Map<String, List<String>> othersThan(String manager) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        ownersByKey.forEach((k, v) -> {
            List<String> others = v.stream().filter(m -> !m.equals(manager)).toList();
            if (!others.isEmpty()) {
                out.put(k, others);
            }
        });
        return out;
    }
}

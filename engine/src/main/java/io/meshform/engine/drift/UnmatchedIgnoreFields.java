package io.meshform.engine.drift;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.Suggestions;
import io.meshform.engine.model.ResourceAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * The {@code --ignore ADDR:FIELD} rules whose FIELD is in neither the recorded nor the live value of ADDR: a misspelt
 * field ({@code mtls.mod}) would otherwise leave out nothing in silence, and the report would still fail on the field
 * meant. A note, not an error: a nightly job may ignore a field that is absent for now (a label someone adds by hand
 * some nights), and must not fail on the nights it is absent.
 */
final class UnmatchedIgnoreFields {
    private final List<IgnoreRule> rules;
    /** The dotted field paths seen in either value, by resource checked. */
    private final Map<ResourceAddress, Set<String>> seen = new java.util.LinkedHashMap<>();

    UnmatchedIgnoreFields(List<IgnoreRule> rules) {
        this.rules = rules.stream().filter(r -> !r.wholeResource()).toList();
    }

    /** Records the fields of one checked resource's recorded and live values (either may be null). */
    void saw(ResourceAddress a, JsonNode recorded, JsonNode live) {
        if (rules.stream().noneMatch(r -> r.address().equals(a))) {
            return;
        }
        Set<String> paths = seen.computeIfAbsent(a, k -> new TreeSet<>());
        collect(recorded, "", paths);
        collect(live, "", paths);
    }

    /** One note per field rule of a checked resource that names no field of it, with the closest field's name. */
    List<Diagnostic> notes() {
        List<Diagnostic> out = new ArrayList<>();
        for (IgnoreRule r : rules) {
            Set<String> paths = seen.get(r.address());
            String field = String.join(".", r.fieldPath());
            if (paths == null || paths.contains(field)) {
                continue;
            }
            out.add(Diagnostic.info("--ignore " + r.address() + ":" + field + " leaves out nothing: neither the recorded"
                    + " nor the live value of " + r.address() + " has a field " + field
                    + Suggestions.closest(field, paths).map(s -> " (did you mean " + s + "?)").orElse(""), null, null));
        }
        return out;
    }

    private static void collect(JsonNode value, String prefix, Set<String> paths) {
        if (value == null || !value.isObject()) {
            return;
        }
        for (Map.Entry<String, JsonNode> e : value.properties()) {
            String path = prefix + e.getKey();
            paths.add(path);
            collect(e.getValue(), path + ".", paths);
        }
    }
}

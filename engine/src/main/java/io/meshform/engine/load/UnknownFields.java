package io.meshform.engine.load;

import io.meshform.engine.spi.FieldProblem;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The fields of one resource's spec whose values are unknown in a load without variable values, and which of its type's
 * findings are about them: a finding at such a field or inside it, or one that quotes such a value as written (a check
 * of two fields together). Those are left out, since they judge the text {@code ${var.x}} rather than a value; every
 * other finding of the spec stands, so a misspelt field, a wrong type or a bad literal beside an unknown value is still
 * an error, as {@code terraform validate} reports them with its variables unknown.
 */
final class UnknownFields {
    private final Map<String, Set<String>> pointers;
    private final Set<String> texts = new java.util.HashSet<>();

    /** {@code pointers}: relative to {@code spec}, as {@link Interpolator#takeUnknownPointers} gives them. */
    UnknownFields(Map<String, Set<String>> pointers, JsonNode spec) {
        this.pointers = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(pointers));  // in order: listed
        for (String p : pointers.keySet()) {
            JsonNode v = spec.at(p);
            if (v != null && v.isString()) {
                texts.add(v.asString());
            }
        }
    }

    boolean isEmpty() {
        return pointers.isEmpty();
    }

    Map<String, Set<String>> pointers() {
        return pointers;
    }

    /** True when {@code path} (relative to the spec) is an unknown value or inside one. */
    boolean holds(String path) {
        return pointers.keySet().stream().anyMatch(p -> path.equals(p) || path.startsWith(p + "/"));
    }

    /** True when {@code problem} judges an unknown value: at it, inside it, or quoting it. */
    boolean about(FieldProblem problem) {
        if (holds(problem.path())) {
            return true;
        }
        for (String t : texts) {
            if (problem.message() != null && problem.message().contains(t) || problem.hint() != null && problem.hint().contains(t)) {
                return true;
            }
        }
        return false;
    }
}

package io.meshform.engine.drift;

import io.meshform.engine.diag.SpecPath;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * What drift says of a resource whose stack gives a sensitive value other than the one applied, or no longer gives it:
 * state keeps only the applied value's digest, so the parts that value reaches cannot be compared with the cluster
 * until the stack is applied.
 */
final class RotatedValues {
    private RotatedValues() {
    }

    /**
     * "the stack's value of meshConfig.defaultConfig.proxyMetadata.AUTH_TOKEN is not the one applied (the state records
     * only its digest); apply it, then drift can check it", and for the values the stack no longer gives ("the stack no
     * longer gives meshConfig.x, applied as a sensitive value the state records only by its digest; apply, which
     * removes it, then drift can check it"): the spec paths as {@code --ignore} writes them (dotted), never the values.
     * {@code unknown} is {@link io.meshform.engine.plan.Sensitive#rotated}'s answer. Renderers put it after
     * {@code not checked in full}.
     */
    static String summary(Map<String, JsonNode> unknown) {
        List<String> changed = unknown.entrySet().stream().filter(e -> !e.getValue().isMissingNode()).map(Map.Entry::getKey).toList();
        List<String> gone = unknown.entrySet().stream().filter(e -> e.getValue().isMissingNode()).map(Map.Entry::getKey).toList();
        List<String> parts = new ArrayList<>();
        if (!changed.isEmpty()) {
            parts.add(summary(changed));
        }
        if (!gone.isEmpty()) {
            List<String> paths = gone.stream().map(SpecPath::dotted).sorted().toList();
            boolean one = paths.size() == 1;
            // Apply removes it: the type is given the stack's spec, which no longer holds the value.
            parts.add("the stack no longer gives " + String.join(", ", paths) + ", applied as "
                    + (one ? "a sensitive value" : "sensitive values") + " the state records only by "
                    + (one ? "its digest" : "their digests") + "; apply, which removes " + (one ? "it" : "them")
                    + ", then drift can check " + (one ? "it" : "them"));
        }
        return String.join("; ", parts);
    }

    static String summary(Collection<String> pointers) {
        List<String> paths = pointers.stream().map(SpecPath::dotted).sorted().toList();
        boolean one = paths.size() == 1;
        return "the stack's " + (one ? "value of " : "values of ") + String.join(", ", paths)
                + (one ? " is not the one" : " are not the ones") + " applied (the state records only "
                + (one ? "its digest" : "their digests") + "); apply " + (one ? "it" : "them")
                + ", then drift can check " + (one ? "it" : "them");
    }
}

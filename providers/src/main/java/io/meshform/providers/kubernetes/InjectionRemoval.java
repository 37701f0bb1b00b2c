package io.meshform.providers.kubernetes;

import io.meshform.providers.kubernetes.KubeObjects.Target;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * What the plan says of a step that removes meshform's labels from a namespace (a labels resource destroyed, an
 * adopted namespace released): its injection labels go, and with {@code restartWorkloads} the step restarts the
 * namespace's workloads as an update of the labels does. The plan said only "destroyed" or "stays in the cluster",
 * and the destroy then restarted every Deployment of the namespace.
 */
final class InjectionRemoval {
    private InjectionRemoval() {
    }

    /** @param step the step that removes them, as the sentence names it: "the delete", "the release" */
    static Optional<String> effect(NamespaceLabelEffects effects, Target t, JsonNode spec, String step) {
        List<String> keys = Json.stringMap(spec.get(MetadataMapsType.LABELS)).keySet().stream()
                .filter(k -> effects.concerns(Set.of(k))).sorted().toList();
        if (!t.isNamespace() || keys.isEmpty()) {
            return Optional.empty();
        }
        RestartSettings restart = RestartSettings.of(spec);
        return Optional.of("removing " + String.join(", ", keys) + " from namespace " + t.name()
                + " may change its sidecar injection; " + (restart.enabled()
                        ? "restartWorkloads: if it does, " + step + " restarts, one at a time, each workload whose running pods"
                                + " keep the old sidecar state, waiting up to " + restart.timeout().toSeconds() + "s for each rollout"
                        : "running pods keep their sidecar state until they restart"));
    }
}

package io.meshform.providers.kubernetes;

import io.meshform.engine.spi.PlanDetail;
import io.meshform.engine.spi.ProgressSink;
import io.meshform.engine.spi.StackContext;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * What a change of a namespace's labels means beyond the labels themselves, said by the provider that gives those
 * labels a meaning (Istio: sidecar injection, see {@code istio.injection.InjectionLabelEffects}). The namespace and
 * labels types call it at validate, plan and apply time and never name that provider, so the Kubernetes package
 * depends on nothing Istio. {@link #NONE} when no provider gives labels a meaning.
 */
public interface NamespaceLabelEffects {

    NamespaceLabelEffects NONE = new NamespaceLabelEffects() {
    };

    /** Whether a change of any of these keys may have effects (apply reads the namespace's labels first only then). */
    default boolean concerns(Set<String> labelKeys) {
        return false;
    }

    /** Checks of declared label values ({@code labels} is the map at {@code pointer}), as warnings or errors. */
    default void validate(JsonNode labels, String pointer, SpecChecker checker) {
    }

    /** The plan of a namespace's labels going from {@code before} to {@code after} (every label, not only meshform's). */
    default void plan(String address, String namespace, Map<String, String> before, Map<String, String> after, JsonNode spec,
                      StackContext context, List<PlanDetail> details, List<String> warnings) {
    }

    /**
     * With the labels unchanged since meshform applied them at {@code appliedAt}: effects still owed (restarts a failed
     * apply left), which make the plan an update; empty when nothing is owed.
     */
    default Optional<Pending> pending(String address, String namespace, Map<String, String> labels, Instant appliedAt,
                                      JsonNode spec, StackContext context) {
        return Optional.empty();
    }

    /**
     * After the labels were applied: carry out (or report) what the change from {@code before} to {@code after} means.
     * {@code context} is the apply's: what the effects read of the cluster they may share with the apply's other
     * steps through its {@link StackContext#memo}, never with the plan's (another context).
     */
    default void afterApply(String address, String namespace, Map<String, String> before, Map<String, String> after,
                            JsonNode spec, StackContext context, ProgressSink progress) {
    }

    /** Carries out what {@link #pending} found, in the apply of the plan that found it ({@code context}: the apply's). */
    default void finishPending(String address, String namespace, Map<String, String> labels, Instant appliedAt, JsonNode spec,
                               StackContext context, ProgressSink progress) {
    }

    /** Effects still owed: the plan's reason ("2 workload(s) still run pods from before the injection change") and lines. */
    record Pending(String reason, List<PlanDetail> details) {
        public Pending {
            details = List.copyOf(details);
        }
    }
}

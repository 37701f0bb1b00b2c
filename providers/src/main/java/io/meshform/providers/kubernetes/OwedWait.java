package io.meshform.providers.kubernetes;

import io.meshform.engine.spi.PlanRequest;
import io.meshform.providers.kubernetes.KubeObjects.Target;
import java.util.Optional;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A manifest's {@code wait} that no apply finished. Apply records a manifest only after its wait holds, so a state that
 * records this manifest and this wait vouches that it held once; any other state (no entry, or one from before the
 * manifest or the wait changed) does not: the apply that wrote the object was interrupted (Ctrl-C, SIGTERM, kill -9)
 * while it waited, or its wait timed out. When, besides, the live object does not hold what the wait asks for now,
 * the object is as declared but the wait is still owed: the plan shows it as waited for (an update that changes nothing,
 * {@link io.meshform.engine.spi.PlannedChange#WAIT_ONLY}) and its apply waits, so the
 * resources that depend on it start only after it holds, as after an apply that was not cut short. Without this the
 * plan only recorded the object ("nothing changes in the cluster") and its dependents started at once.
 */
final class OwedWait {
    private OwedWait() {
    }

    /**
     * The reason of the update that finishes the wait, or empty when none is owed.
     *
     * @param m        the declared object, as plan and apply use it
     * @param recorded the recorded object ({@code manifest} of the state's entry, in the same form), or null
     * @param live     the live object, asked only when the read did not say whether the wait holds
     */
    static Optional<String> reason(PlanRequest request, Target t, ObjectNode m, JsonNode recorded, Supplier<JsonNode> live) {
        JsonNode wait = request.desired().get("wait");
        // drift reports what changed outside meshform against what the state records; an owed wait is apply's work
        if (wait == null || !wait.isObject() || request.live() == null || request.context().drift()) {
            return Optional.empty();
        }
        boolean vouched = request.recorded() != null && recorded != null && Json.sameValue(recorded, m)
                && Json.sameValue(request.recorded().attributes().get("wait"), wait);
        if (vouched) {
            return Optional.empty();
        }
        ManifestWait w = ManifestWait.of(wait);
        boolean holds = request.live().data(ManifestWait.Seen.class).map(ManifestWait.Seen::holds).orElseGet(() -> {
            JsonNode obj = live.get();
            return obj != null && w.holds(obj);
        });
        if (holds) {
            return Optional.empty();
        }
        return Optional.of(t.describe() + " is as declared but not " + w + ", and no apply finished waiting for it (one was"
                + " interrupted or timed out while waiting): apply waits up to " + w.seconds() + "s for it before the"
                + " resources that depend on it");
    }
}

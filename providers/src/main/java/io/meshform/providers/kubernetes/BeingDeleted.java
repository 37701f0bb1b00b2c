package io.meshform.providers.kubernetes;

import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.PlannedChange;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * A live object the API server is deleting: it carries a {@code deletionTimestamp} and stays until its finalizers are
 * removed, then vanishes (apimachinery ObjectMeta: "Once the deletionTimestamp is set, this value may not be unset").
 *
 * <p>A recorded object (a manifest's, a namespace, an Istio policy) can be left so by meshform itself: a destroy stopped (Ctrl-C, SIGTERM, a lost lock) or timed out
 * while {@link DeleteWait} waited keeps the state's record, as it says. Its fields still match the stack, so a plan
 * that compared only them said "No changes" and drift "No drift" of an object about to go, and an apply wrote onto it
 * (a server-side apply of an object being deleted is taken), recording what then vanished. Such an object is planned
 * as a replacement: apply deletes it again, waits until it is gone ({@link DeleteWait}), then creates it.
 *
 * @param since      the deletionTimestamp
 * @param finalizers what holds it: metadata's finalizers, and a Namespace's spec ones ({@code kubernetes})
 */
public record BeingDeleted(String since, List<String> finalizers) {
    public BeingDeleted {
        finalizers = List.copyOf(finalizers);
    }

    /** Whether {@code live} (an object read as JSON) is being deleted. */
    public static Optional<BeingDeleted> of(JsonNode live) {
        String since = live == null ? null : Json.text(live.path("metadata"), "deletionTimestamp");
        if (since == null) {
            return Optional.empty();
        }
        List<String> held = new ArrayList<>();
        live.path("metadata").path("finalizers").forEach(f -> held.add(f.asString()));
        if ("Namespace".equals(Json.text(live, "kind"))) {
            live.path("spec").path("finalizers").forEach(f -> held.add(f.asString()));
        }
        return Optional.of(new BeingDeleted(since, held));
    }

    /**
     * The plan of a recorded object found so: a replacement whose reason says since when and what holds it ("ConfigMap
     * ns/name is being deleted since T, held by finalizer(s) F; ..."), marked for drift ({@link PlannedChange#BEING_DELETED}).
     */
    public PlannedChange replacement(String what, JsonNode before, JsonNode after) {
        return PlannedChange.of(Action.REPLACE, what + " is being deleted since " + since + (finalizers.isEmpty() ? ""
                : ", held by finalizer(s) " + String.join(", ", finalizers)) + "; it goes once nothing holds it: apply"
                + " deletes it again, waits until it is gone, then creates it anew", before, after).beingDeleted();
    }
}

package io.meshform.providers.kubernetes;

import io.meshform.providers.kubernetes.KubeObjects.Target;
import java.util.List;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;

/**
 * The LISTs under way in one run: a reader that asks for a collection while another reader's LIST of it has not been
 * answered yet waits for that answer instead of sending the same request. The engine reads all types at once, so
 * kubernetes.namespace and kubernetes.labels (kind Namespace) ask for the namespaces within a millisecond of each
 * other. Nothing is kept once answered: a later read (the next plan, or a test that plans again after an apply with
 * the same context) sends its own LIST, so no answer is older than the read that uses it.
 */
final class InFlightLists {
    private final InFlight<Target, List<JsonNode>> running = new InFlight<>();

    /** The in-flight LISTs of the run {@code context} serves. */
    static InFlightLists of(io.meshform.engine.spi.StackContext context) {
        return context.memo(InFlightLists.class, InFlightLists::new);
    }

    /** {@code read}'s answer for {@code collection}, or the answer of the same LIST already under way. */
    List<JsonNode> list(Target collection, Supplier<List<JsonNode>> read) {
        return running.get(collection, read);
    }
}

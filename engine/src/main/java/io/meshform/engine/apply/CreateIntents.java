package io.meshform.engine.apply;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.plan.ResourceChange;
import io.meshform.engine.spi.Action;
import io.meshform.state.StateSnapshot;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * What an apply writes in the state before its first create, and clears when it ends: the addresses it may create
 * objects for ({@link StateSnapshot#creating}). The planner takes a marked object the state does not record as this
 * state's (the plan's "will be recorded in state") only when an apply wrote it was creating it: the mark alone can be
 * copied by anyone who may create the object, which would have a plan call a forged object "as declared". Written
 * once per apply, with every address at once, because a write per create would cost a durable write per object.
 */
final class CreateIntents {
    private CreateIntents() {
    }

    /**
     * {@code prior} with the addresses of {@code steps} that may create an object added to what it already lists and
     * does not record (an interrupted apply's; one recorded since, by an import, is done: left listed, it would outlive
     * a later delete of the object, and vouch for whatever appears under that address next); {@code prior} itself when
     * nothing changes.
     */
    static StateSnapshot before(Collection<ResourceChange> steps, StateSnapshot prior) {
        Set<String> creating = new TreeSet<>(pending(prior));
        steps.stream().filter(c -> mayCreate(c, prior)).forEach(c -> creating.add(c.address().toString()));
        return prior.withCreating(creating);
    }

    /**
     * What a finished apply keeps listing: an address whose object the state now records is done; one this apply
     * added for a step that never started names nothing it made. A failed step's stays (its object may exist: a create
     * that went through and then failed its wait), as do an earlier apply's not yet recorded. A failed step's stays
     * even where the state records the address: a moved object's replace creates the new object first, and when it
     * fails after that create, before writing the new entry (the write itself failed, or the step was cut short), the
     * state still records the old object while the new one exists with this state's mark; the next plan takes the new
     * object over only because it is listed here. (Once the new entry is written, the old object is recorded as
     * deposed: {@link Applier}.)
     *
     * @param prior    the state the apply began with, before {@link #before}
     * @param started  the addresses of the steps that started
     * @param failed   the addresses of the steps that failed
     */
    static UnaryOperator<StateSnapshot> after(StateSnapshot prior, Set<ResourceAddress> started,
                                              Set<ResourceAddress> failed) {
        Set<String> ran = new java.util.HashSet<>();
        started.forEach(a -> ran.add(a.toString()));
        Set<String> failedHere = new java.util.HashSet<>();
        failed.forEach(a -> failedHere.add(a.toString()));
        Set<String> earlier = pending(prior);
        return s -> s.withCreating(s.creating().stream()
                .filter(a -> failedHere.contains(a)
                        || s.find(a).isEmpty() && (earlier.contains(a) || ran.contains(a)))
                .toList());
    }

    /** What {@code s} lists as being created and does not record yet. */
    private static Set<String> pending(StateSnapshot s) {
        Set<String> out = new TreeSet<>(s.creating());
        out.removeIf(a -> s.find(a).isPresent());
        return out;
    }

    /**
     * A create, a replacement (deleted, then created) or an update of an object the state does not record (adopted,
     * or deleted since the plan, when the server-side apply creates it).
     */
    private static boolean mayCreate(ResourceChange c, StateSnapshot prior) {
        return c.action() == Action.CREATE || c.action() == Action.REPLACE
                || c.action() == Action.UPDATE && prior.find(c.address().toString()).isEmpty();
    }
}

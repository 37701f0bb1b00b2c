package io.meshform.engine.plan;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.Diagnostics;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.Ownership;
import io.meshform.state.ResourceState;
import io.meshform.state.StateSnapshot;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A plan or an apply never deletes an object this state did not make. The state alone says what to delete, and a state
 * file kept in a repository (as the examples keep theirs) can be edited by a pull request: an entry added for
 * {@code kube-system/precious} would otherwise have destroy, or a plan that no longer declares it, delete an object
 * meshform never touched. So a delete (a resource no longer declared, {@code destroy}, the first half of a replace)
 * goes ahead only when the live object carries this state's lineage mark ({@link Ownership}). That holds for adopted
 * objects too: {@code meshform import} writes the mark when it records the object ({@code ResourceType#markImported}),
 * and {@code adopt: true} at its apply, so an entry edited to read "adopted" does not make an unmarked object deletable
 * by {@code destroy --delete-adopted}. (Terraform's import only reads; but Terraform has no other word than its state
 * on what it manages, and meshform's mark is what an edit of the state cannot forge.) An adopted entry is released,
 * not deleted, unless --delete-adopted asks for it; a release deletes nothing and is not checked. Types whose reads say nothing about objects ({@link Ownership#SHARED},
 * e.g. {@code kubernetes.labels}) are not checked: they never delete a whole object.
 */
public final class ForeignDelete {
    private ForeignDelete() {
    }

    /** Plan time: one error per planned delete or replace of an object this state did not make. */
    static void refuse(List<ResourceChange> planned, Map<ResourceAddress, LiveObject> live, StateSnapshot state,
                       Diagnostics out) {
        for (ResourceChange c : planned) {
            // A create-first replace reads the object where it goes, not the old one it deletes: the applier checks
            // the old one just before deleting it, and the planner judges the one read as a new object (NotManaged).
            boolean deletes = (c.action() == Action.DELETE && !c.forgets()) || (c.action() == Action.REPLACE && !c.createsFirst());
            if (deletes) {
                duplicate(c.address(), c.action(), live, state).or(() -> refusal(c.address(), c.action(),
                        state.find(c.address()).orElse(null), live.get(c.address()), state.lineage())).ifPresent(out::add);
            }
        }
    }

    /**
     * Why deleting {@code live}, the object of the recorded resource {@code address}, is refused; empty when it may go.
     * The applier asks again just before it deletes: the object may have changed hands since the plan.
     */
    public static Optional<Diagnostic> refusal(ResourceAddress address, Action action, ResourceState recorded,
                                               LiveObject live, String stateLineage) {
        if (recorded == null || live == null || !live.ownership().applies()) {
            return Optional.empty();
        }
        Ownership owner = live.ownership();
        if (owner.lineage() != null && owner.lineage().equals(stateLineage)) {
            return Optional.empty();
        }
        boolean adopted = "true".equals(recorded.metadata().get(Planner.ADOPTED_KEY));
        String object = owner.object() == null ? "its object" : owner.object();
        String carries = owner.lineage() == null
                ? "carries no meshform mark"
                : "carries another state's meshform mark (lineage " + owner.lineage()
                        + (owner.address() == null ? "" : ", resource " + owner.address()) + ")";
        String what = action == Action.REPLACE ? "replace" : "destroy";
        return Optional.of(Diagnostic.error("`" + address + "`: refusing to " + what + " " + object + ": it " + carries
                        + ", so this state did not make it",
                "The state records `" + address + "`, but the object in the cluster is not one this state made: the state"
                        + " entry may have been edited (a state file in a repository can be changed by a pull request), or"
                        + " the object was deleted and made again by hand or by another tool. It was not deleted. To stop"
                        + " managing it and leave the object alone: `meshform state rm " + address + "`. If it really is to"
                        + " go, delete it by hand (e.g. kubectl delete), then `meshform state rm " + address + "`."
                        + (adopted && owner.lineage() == null ? " The entry says the object was imported: meshform import"
                                + " marks what it imports, and one imported by a meshform that did not yet mark it carries"
                                + " no mark. If you imported it, import it again to mark it (`meshform state rm " + address
                                + "`, then `meshform import " + address + (owner.id() == null ? " ID" : " " + owner.id())
                                + "`) and destroy it then." : ""),
                null));
    }

    /**
     * This state made the object, as another resource the state also records and whose object read the same: two
     * entries for one object (one added or edited by hand), and deleting through the duplicate deletes what the other
     * entry manages. Only the planner can tell, with both objects read; a mark naming an address the state no longer
     * records, or one that now reads another object, is this resource's own under an older name ({@code meshform state
     * mv} moves the entry, not the mark).
     */
    private static Optional<Diagnostic> duplicate(ResourceAddress address, Action action,
                                                  Map<ResourceAddress, LiveObject> live, StateSnapshot state) {
        LiveObject object = live.get(address);
        Ownership owner = object == null ? null : object.ownership();
        if (owner == null || owner.lineage() == null || !owner.lineage().equals(state.lineage()) || owner.address() == null
                || owner.address().equals(address.toString()) || state.find(owner.address()).isEmpty()) {
            return Optional.empty();
        }
        String other = owner.address();
        LiveObject othersObject = live.entrySet().stream().filter(e -> e.getKey().toString().equals(other))
                .map(Map.Entry::getValue).findFirst().orElse(null);
        if (othersObject == null || !owner.sameObject(othersObject.ownership())) {
            return Optional.empty();
        }
        String what = (action == Action.REPLACE ? "replace " : "destroy ")
                + (owner.object() == null ? "its object" : owner.object());
        return Optional.of(Diagnostic.error("`" + address + "`: refusing to " + what + ": it carries this state's mark for"
                        + " another resource, `" + other + "`: two addresses for one object",
                "The state records both `" + address + "` and `" + other + "`, and both read "
                        + (owner.object() == null ? "one object" : owner.object()) + " in the cluster, which `" + other
                        + "` made. One of the entries was most likely added or edited by hand (a state file in a repository"
                        + " can be changed by a pull request). It was not deleted. To keep it, managed by `" + other + "`:"
                        + " `meshform state rm " + address + "` (the object stays in the cluster), and remove `" + address
                        + "` from the stack if it declares it.",
                null));
    }
}

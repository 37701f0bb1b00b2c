package io.meshform.engine.plan;

import io.meshform.engine.diag.Diagnostics;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.Stack;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.Ownership;
import io.meshform.state.StateSnapshot;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The planner's rule that a plan never deletes what the stack declares: two addresses, one object in the cluster (the
 * same {@link Ownership#key()}), one of them to be deleted. Known only from what the providers' reads say, so the engine
 * stays free of Kubernetes.
 */
final class DeclaredObjects {
    private DeclaredObjects() {
    }

    /**
     * What the plan reads: the selection, plus, when the selection deletes a resource the stack no longer declares, the
     * declared resources of that type left out of it (--target, --exclude). Their live objects are only compared with
     * the deleted one's ({@link #refuseDeleting}), so a targeted delete cannot remove what the stack declares.
     */
    static Set<ResourceAddress> reads(Stack stack, Set<ResourceAddress> selected, PlanOptions options) {
        if (options.destroy()) {
            return selected;
        }
        Set<String> deletedTypes = new HashSet<>();
        selected.stream().filter(a -> stack.find(a).isEmpty()).forEach(a -> deletedTypes.add(a.type()));
        if (deletedTypes.isEmpty()) {
            return selected;
        }
        Set<ResourceAddress> out = new HashSet<>(selected);
        stack.resources().stream().map(ResourceDecl::address).filter(a -> deletedTypes.contains(a.type())).forEach(out::add);
        return out;
    }

    /**
     * A plan never deletes what the stack declares: a removal (a state entry the stack no longer declares) whose live
     * object is the one a declared resource reads (the same {@link Ownership#key()}) is refused, naming both addresses.
     * It follows a `state mv` to an address the file does not declare (not renamed there, or a typo), or a rename in the
     * file whose state entry was not moved: applying would delete the object and record the declared resource as
     * present. {@code named} gets the declared addresses, whose "not managed" errors would only repeat this one.
     */
    static void refuseDeleting(List<ResourceChange> planned, Map<ResourceAddress, LiveObject> live, Stack stack,
                                               StateSnapshot state, Diagnostics out,
                               Set<ResourceAddress> named) {
        for (ResourceChange c : planned) {
            LiveObject gone = c.action() == Action.DELETE ? live.get(c.address()) : null;
            if (gone == null) {
                continue;
            }
            for (ResourceDecl d : stack.resources()) {
                LiveObject kept = live.get(d.address());
                if (kept == null || d.address().equals(c.address()) || !gone.ownership().sameObject(kept.ownership())) {
                    continue;
                }
                named.add(d.address());
                String object = kept.ownership().object() == null ? "the object" : kept.ownership().object();
                String removed = "`" + c.address() + "`";
                String declared = "`" + d.address() + "`";
                String fix = state.find(d.address()).isPresent()
                        ? "The state records both. If " + declared + " is the one to keep, forget the other entry with"
                                + " `meshform state rm " + c.address() + "` (the object stays in the cluster)."
                        : "Finish the rename one way or the other: if the stack should call it " + removed + ", rename "
                                + declared + " to " + removed + " in the stack file; if the stack is right, move the state"
                                + " entry to match it with `meshform state mv " + c.address() + " " + d.address() + "`.";
                out.error(removed + " and " + declared + " are the same object (" + object + "): this plan would "
                                + (c.forgets() ? "stop managing" : "destroy") + " " + removed + ", the object " + declared
                                + " declares",
                        "The state records " + removed + ", which the stack no longer declares, and the stack declares "
                                + declared + ", which is the same object in the cluster. This follows a `meshform state mv` to"
                                + " an address the stack does not declare (the file was not renamed, or a typo in the new"
                                + " address), or a rename in the stack file whose state entry was not moved. " + fix
                                + " Nothing was changed.",
                        d.source().range());
            }
        }
    }
}

package io.meshform.engine.plan;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.Ownership;
import io.meshform.state.StateSnapshot;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Whether a plan may act on a live object the state does not record for the address: found where a declared resource
 * goes with no state entry, or where a moved entry now goes (the recorded object is another one, so the one found there
 * is no more this state's than it would be without the entry). Three answers: this state's own interrupted create (its
 * mark, and an apply of this state wrote it was creating the address: {@link StateSnapshot#creating}), an adoption
 * ({@code adopt: true}, an object with no other state's mark), or a refusal ({@link NotManaged}). The mark alone proves
 * nothing: anyone who may create the object can copy it.
 *
 * @param action      the action after the decision
 * @param reason      the plan's reason after the decision
 * @param privateData the change's private data after the decision
 * @param refusal     present when the plan must refuse the object
 */
record Takeover(Action action, String reason, Map<String, String> privateData, Optional<Diagnostic> refusal) {

    static Takeover decide(ResourceAddress address, ResourceDecl decl, LiveObject live, boolean moved,
                           StateSnapshot state, Action action, String reason, Map<String, String> privateData) {
        String lineage = state.lineage();
        Ownership owner = live.ownership();
        String object = owner.object() == null ? "the object" : owner.object();
        if (owner.madeBy(lineage, address.toString()) && state.creating(address.toString())) {
            return new Takeover(action, "made by an earlier apply of this state that did not record it (that apply wrote"
                    + " it was creating it, and the object carries its mark); apply records it in state: " + reason,
                    privateData, Optional.empty());
        }
        if (decl.lifecycle().adopt() && ForeignMark.of(owner, lineage, address).isEmpty()) {
            // Another resource's mark is refused below even with adopt: true, as import refuses it without --take-over.
            Map<String, String> adopting = new TreeMap<>(privateData);
            adopting.put(Planner.ADOPT_STEP, "true");
            return new Takeover(action == Action.NOOP ? Action.UPDATE : action, "adopt: " + object
                    + " exists, not managed by meshform; adopt: true takes it over (" + reason + ")", adopting,
                    Optional.empty());
        }
        return new Takeover(action, reason, privateData,
                Optional.of(NotManaged.of(address, decl, owner, object, lineage, moved)));
    }
}

package io.meshform.engine.plan;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.Ownership;
import java.util.Optional;

/**
 * meshform's mark on a live object that says another resource made it: another state's (another stack's, or this
 * stack's with another state file), or another address of this state. Taking such an object over, by {@code meshform
 * import} or by {@code adopt: true}, has two resources manage one object, and the next apply of either undoes the
 * other; both refuse it alike, and only {@code meshform import --take-over} moves it on purpose.
 *
 * @param lineage   the lineage in the mark
 * @param address   the resource address in the mark (null when the mark names none)
 * @param sameState true when the lineage is this state's own (another of its resources made the object)
 */
public record ForeignMark(String lineage, String address, boolean sameState) {

    /** The foreign mark {@code owner} carries for resource {@code address} of the state {@code stateLineage}, if any. */
    public static Optional<ForeignMark> of(Ownership owner, String stateLineage, ResourceAddress address) {
        if (owner == null || !owner.applies() || owner.lineage() == null || owner.madeBy(stateLineage, address.toString())) {
            return Optional.empty();
        }
        return Optional.of(new ForeignMark(owner.lineage(), owner.address(), owner.lineage().equals(stateLineage)));
    }

    /** What the mark says, as far as it tells: "meshform's mark of another state (lineage L, resource R)". */
    public String describe() {
        String resource = address == null ? "no resource named" : "resource " + address;
        return sameState
                ? "this state's mark for another of its resources (" + resource + ")"
                : "meshform's mark of another state (lineage " + lineage + ", " + resource + ")";
    }

    /** What to do instead, the same words for plan and import. */
    public String remedy(ResourceAddress target, String id) {
        if (sameState) {
            return "If the resource was renamed, move its state entry (`meshform state mv " + address + " " + target
                    + "`) rather than import it.";
        }
        return "Most often this run has the wrong state: check -f, --state, --state-secret, --context and the stack's"
                + " backend (each example, and quickstart, keeps its own). If another stack manages it, leave it to that"
                + " stack. To move it to this stack on purpose, " + (id == null ? "import it with --take-over"
                : "`meshform import --take-over " + target + " " + id + "`") + ", then remove it from the other stack"
                + " (its file, and `meshform state rm " + (address == null ? "ADDR" : address) + "` with its state).";
    }
}

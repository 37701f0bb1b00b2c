package io.meshform.engine.plan;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.PlanDetail;
import io.meshform.engine.spi.PlannedChange;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * One entry of a plan. {@code before} is the live value (what the reviewer is moving away from),
 * {@code after} the planned value; sensitive fields are already masked in both. {@code liveVersion} binds a
 * saved plan to the object it was computed against. {@code dependsOn} keeps the order for apply, including for
 * resources that are no longer declared.
 */
public record ResourceChange(ResourceAddress address, Action action, String reason, JsonNode before,
                             JsonNode after, List<PlanDetail> details, List<String> warnings,
                             Map<String, String> privateData, String liveVersion, List<ResourceAddress> dependsOn) {

    public ResourceChange {
        details = List.copyOf(details);
        warnings = List.copyOf(warnings);
        privateData = Map.copyOf(privateData);
        dependsOn = List.copyOf(dependsOn);
    }

    public String type() {
        return address.type();
    }

    /** True when apply does something for this entry: changes the cluster, or only writes the state ({@link #records}). */
    public boolean changes() {
        return action != Action.NOOP || records();
    }

    /**
     * A declared resource whose object is already live and as declared, which the state does not record yet (made by
     * an earlier apply that died before recording it, or forgotten with {@code state rm}): apply changes nothing in the
     * cluster and records it in state. The plan shows and counts it, as Terraform shows an import.
     */
    public boolean records() {
        return action == Action.NOOP && "true".equals(privateData.get(Planner.RECORD_STEP));
    }

    /**
     * A removal that leaves the object in the cluster: it was adopted ({@code adopt: true}, {@code import}), so meshform
     * only stops managing it (Terraform's "forget"). Saying "destroyed" of it would be untrue.
     */
    public boolean forgets() {
        return action == Action.DELETE && "true".equals(privateData.get(Planner.RELEASE_STEP));
    }

    /**
     * A removal whose object is already gone from the cluster (a deposed object, or a resource no longer declared, deleted
     * by something else): apply deletes nothing and only drops the state's record. The plan counts it as forgotten, as
     * Terraform plans no destroy of an object its refresh found gone; saying "destroyed" of it would be untrue.
     */
    public boolean dropsRecord() {
        return action == Action.DELETE && "true".equals(privateData.get(Planner.GONE_STEP));
    }

    /**
     * A replacement that creates the new object before it deletes the old one ({@link PlannedChange#CREATE_FIRST}): the
     * two are different objects, so the old stays in force until its successor exists.
     */
    public boolean createsFirst() {
        return action == Action.REPLACE && "true".equals(privateData.get(PlannedChange.CREATE_FIRST));
    }

    /**
     * An update that changes nothing and only waits for the object, as declared, to become ready: an earlier apply wrote
     * it and did not finish waiting ({@link PlannedChange#WAIT_ONLY}). Saying "updated in-place" of it would be untrue.
     */
    public boolean waitsOnly() {
        return action == Action.UPDATE && "true".equals(privateData.get(PlannedChange.WAIT_ONLY));
    }

    /**
     * The key of the deposed object this entry deletes ({@link DeposedDeletes}), or null when it is about the resource's
     * own object.
     */
    public String deposedKey() {
        return privateData.get(DeposedDeletes.KEY);
    }

    /** True when this entry deletes a deposed object: the old object of a move, not the resource's object. */
    public boolean deposed() {
        return deposedKey() != null;
    }

    /** How the plan names what this entry is about: the address, and a deposed object's key (Terraform's wording). */
    public String label() {
        return deposed() ? address + " (deposed object " + deposedKey() + ")" : address.toString();
    }

    /** The plan's symbol: Terraform's {@code +/-} for create-then-delete, the action's own otherwise. */
    public String symbol() {
        return createsFirst() ? "+/-" : action.symbol();
    }
}

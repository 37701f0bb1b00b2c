package io.meshform.engine.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.plan.Plan;
import io.meshform.engine.plan.ResourceChange;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.PlanDetail;
import java.util.Optional;

/**
 * Assertions on a plan in its own terms, not on its rendering: {@code assertPlan(plan).creates("istio.install.mesh")
 * .updates("kubernetes.labels.cortex").destroysNothing()}. A failure prints the whole plan, one change a line.
 */
public final class PlanAssert {
    private final Plan plan;

    private PlanAssert(Plan plan) {
        this.plan = plan;
    }

    public static PlanAssert assertPlan(Plan plan) {
        return new PlanAssert(plan);
    }

    private String describe() {
        StringBuilder sb = new StringBuilder();
        plan.changes().forEach(c -> sb.append("\n  ").append(c.action()).append(' ').append(c.address()).append(" (")
                .append(c.reason()).append(')'));
        plan.diagnostics().forEach(d -> sb.append("\n  diagnostic: ").append(d.summary()));
        return sb.toString();
    }

    private Optional<ResourceChange> change(String address) {
        ResourceAddress a = ResourceAddress.parse(address);
        return plan.changes().stream().filter(c -> c.address().equals(a)).findFirst();
    }

    /** The change of {@code address}; fails when the plan has none. */
    public ResourceChange changeOf(String address) {
        return change(address).orElseThrow(() -> new AssertionError("no change of " + address + " in the plan:" + describe()));
    }

    private PlanAssert has(String address, Action action) {
        assertEquals(action, changeOf(address).action(), address + " in the plan:" + describe());
        return this;
    }

    public PlanAssert creates(String address) {
        return has(address, Action.CREATE);
    }

    public PlanAssert updates(String address) {
        return has(address, Action.UPDATE);
    }

    public PlanAssert replaces(String address) {
        return has(address, Action.REPLACE);
    }

    public PlanAssert destroys(String address) {
        return has(address, Action.DELETE);
    }

    public PlanAssert leaves(String address) {
        return has(address, Action.NOOP);
    }

    /** The change of {@code address} gives {@code reason} exactly. */
    public PlanAssert because(String address, String reason) {
        assertEquals(reason, changeOf(address).reason(), address + " in the plan:" + describe());
        return this;
    }

    /** The change of {@code address} lists {@code detail} among its details. */
    public PlanAssert details(String address, PlanDetail detail) {
        ResourceChange c = changeOf(address);
        assertTrue(c.details().contains(detail), "expected " + detail + " under " + address + ", got " + c.details());
        return this;
    }

    /** The plan's counts, as its summary line states them. */
    public PlanAssert counts(int add, int change, int destroy) {
        assertEquals(new Plan.Summary(add, change, destroy), plan.summary(), "plan:" + describe());
        return this;
    }

    public PlanAssert hasNoChanges() {
        assertTrue(!plan.hasChanges(), "expected no changes:" + describe());
        return this;
    }
}

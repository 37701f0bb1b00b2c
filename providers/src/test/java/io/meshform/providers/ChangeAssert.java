package io.meshform.providers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.PlanDetail;
import io.meshform.engine.spi.PlannedChange;
import java.util.List;

/**
 * Assertions on one type's planned change in the plan's own words: which objects behind the resource it adds,
 * changes or removes, and which notes it makes; a failure prints every line of the change.
 */
public final class ChangeAssert {
    private final PlannedChange change;

    private ChangeAssert(PlannedChange change) {
        this.change = change;
    }

    public static ChangeAssert assertChange(PlannedChange change) {
        return new ChangeAssert(change);
    }

    /** The details as the plan prints them ("+ Deployment istio-system/istiod"), for messages. */
    public static List<String> lines(List<PlanDetail> details) {
        return details.stream().map(PlanDetail::line).toList();
    }

    public String describe() {
        return change.action() + ": " + change.reason() + "\n  " + String.join("\n  ", lines(change.details()))
                + (change.warnings().isEmpty() ? "" : "\n  warnings: " + change.warnings());
    }

    public ChangeAssert is(Action action) {
        assertEquals(action, change.action(), describe());
        return this;
    }

    private ChangeAssert has(PlanDetail.Kind kind, String text) {
        assertTrue(change.details().contains(new PlanDetail(kind, text)), "expected " + kind + " `" + text + "` in\n" + describe());
        return this;
    }

    public ChangeAssert adds(String object) {
        return has(PlanDetail.Kind.ADD, object);
    }

    public ChangeAssert changes(String object) {
        return has(PlanDetail.Kind.CHANGE, object);
    }

    public ChangeAssert removes(String object) {
        return has(PlanDetail.Kind.REMOVE, object);
    }

    public ChangeAssert notes(String text) {
        return has(PlanDetail.Kind.NOTE, text);
    }

    /** A detail of {@code kind} whose text starts with {@code prefix}. */
    public ChangeAssert hasDetailStartingWith(PlanDetail.Kind kind, String prefix) {
        assertTrue(change.details().stream().anyMatch(d -> d.kind() == kind && d.text().startsWith(prefix)),
                "expected " + kind + " starting `" + prefix + "` in\n" + describe());
        return this;
    }

    public ChangeAssert mentionsNowhere(String text) {
        assertTrue(change.details().stream().noneMatch(d -> d.text().contains(text)), "`" + text + "` in\n" + describe());
        return this;
    }

    public ChangeAssert hasDetails(List<PlanDetail> expected) {
        assertEquals(lines(expected), lines(change.details()), describe());
        return this;
    }
}

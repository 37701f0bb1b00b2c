package io.meshform.engine.apply;

import io.meshform.engine.spi.Action;
import io.meshform.engine.plan.ResourceChange;

/**
 * A step whose change reached the cluster, but whose record in the state could not be written (the state backend
 * refused the write: a Secret the credentials may create but not update, a full disk). The object is as the plan
 * said; the state does not know it yet, so the next plan shows it "to record" and the next apply records it. Said
 * apart from a failed step, whose change did not happen: reported as "failed, 0 added", it read as nothing done.
 */
public final class NotRecordedException extends RuntimeException {
    private final String done;

    NotRecordedException(ResourceChange change, RuntimeException cause) {
        super(cause.getMessage(), cause);
        this.done = doneFor(change);
    }

    /** What happened in the cluster, as a participle: "created", "changed", "replaced", "deleted", "found". */
    public String done() {
        return done;
    }

    private static String doneFor(ResourceChange c) {
        if (c.records()) {
            return "found";
        }
        if (c.forgets()) {
            return "released";
        }
        if (c.dropsRecord()) {
            return "found gone";
        }
        return c.action() == Action.CREATE ? "created" : c.action() == Action.UPDATE ? "changed"
                : c.action() == Action.REPLACE ? "replaced" : c.action() == Action.DELETE ? "deleted" : "applied";
    }
}

package io.meshform.engine.plan;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.Action;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The reviewable result of planning: ordered changes plus what binds them to their inputs (the stack
 * digest, and the state lineage and serial they were computed from). Both renderers read only this.
 * {@code notPlanned} holds the resources {@code --target} or {@code --exclude} left out: a plan without changes says
 * the cluster matches the stack only when it compared all of it.
 */
public record Plan(String meshformVersion, String stackName, String stackDigest, String stateLineage,
                   long stateSerial, boolean destroy, List<ResourceChange> changes, List<Diagnostic> diagnostics,
                   List<ResourceAddress> notPlanned) {

    public static final int FORMAT_VERSION = 1;

    public Plan {
        changes = List.copyOf(changes);
        diagnostics = List.copyOf(diagnostics);
        notPlanned = List.copyOf(notPlanned);
    }

    /** A plan of every resource of the stack (or, for destroy, of the state). */
    public Plan(String meshformVersion, String stackName, String stackDigest, String stateLineage, long stateSerial,
                boolean destroy, List<ResourceChange> changes, List<Diagnostic> diagnostics) {
        this(meshformVersion, stackName, stackDigest, stateLineage, stateSerial, destroy, changes, diagnostics, List.of());
    }

    /** The same plan, which --target or --exclude made without these resources. */
    public Plan withNotPlanned(List<ResourceAddress> leftOut) {
        return new Plan(meshformVersion, stackName, stackDigest, stateLineage, stateSerial, destroy, changes, diagnostics,
                leftOut);
    }

    /** The same plan with {@code first} ahead of its diagnostics (the stack's own warnings, found while it loaded). */
    public Plan withDiagnosticsFirst(List<Diagnostic> first) {
        if (first.isEmpty()) {
            return this;
        }
        List<Diagnostic> all = new java.util.ArrayList<>(first);
        all.addAll(diagnostics);
        return new Plan(meshformVersion, stackName, stackDigest, stateLineage, stateSerial, destroy, changes, all, notPlanned);
    }

    /** True when --target or --exclude left resources out, whose changes this plan neither shows nor makes. */
    public boolean partial() {
        return !notPlanned.isEmpty();
    }

    public boolean hasChanges() {
        return changes.stream().anyMatch(ResourceChange::changes);
    }

    public Summary summary() {
        int add = 0;
        int change = 0;
        int destroy = 0;
        int forget = 0;
        int record = 0;
        int waitFor = 0;
        for (ResourceChange c : changes) {
            if (c.waitsOnly()) {
                waitFor++;
                continue;
            }
            if (c.forgets() || c.dropsRecord()) {
                forget++;
                continue;
            }
            if (c.records()) {
                record++;
                continue;
            }
            switch (c.action()) {
                case CREATE -> add++;
                case UPDATE -> change++;
                case DELETE -> destroy++;
                case REPLACE -> {
                    add++;
                    destroy++;
                }
                default -> {
                }
            }
        }
        return new Summary(add, change, destroy, forget, record, waitFor);
    }

    /** Counts per action, for the JSON form. */
    public Map<String, Integer> actionCounts() {
        Map<String, Integer> counts = new TreeMap<>();
        for (Action a : Action.values()) {
            counts.put(a.jsonName(), 0);
        }
        changes.forEach(c -> counts.merge(c.action().jsonName(), 1, Integer::sum));
        return counts;
    }

    /**
     * "Plan: 1 to add, 2 to change, 0 to destroy." as Terraform prints it; adopted objects that leave management but stay
     * in the cluster are counted apart (", 1 to forget", as Terraform says of a removed block with destroy = false), with
     * the records of objects already gone from the cluster (nothing to destroy, only a record leaves the state), and
     * so are declared objects apply only records in state (", 1 to record", where Terraform counts "to import"), and
     * objects as declared that apply only waits for (", 1 to wait for": an earlier apply wrote them and did not finish
     * waiting; nothing in them changes).
     */
    public record Summary(int add, int change, int destroy, int forget, int record, int waitFor) {
        public Summary(int add, int change, int destroy) {
            this(add, change, destroy, 0, 0, 0);
        }

        public Summary(int add, int change, int destroy, int forget) {
            this(add, change, destroy, forget, 0, 0);
        }

        public Summary(int add, int change, int destroy, int forget, int record) {
            this(add, change, destroy, forget, record, 0);
        }

        @Override
        public String toString() {
            return "Plan: " + add + " to add, " + change + " to change, " + destroy + " to destroy"
                    + (forget > 0 ? ", " + forget + " to forget" : "")
                    + (record > 0 ? ", " + record + " to record" : "")
                    + (waitFor > 0 ? ", " + waitFor + " to wait for" : "") + ".";
        }
    }
}

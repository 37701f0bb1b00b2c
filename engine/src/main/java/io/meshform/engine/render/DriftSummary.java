package io.meshform.engine.render;

import io.meshform.engine.drift.DriftReport;

/**
 * The one-line verdict of a drift report, in every format that has one. Declared resources that are not applied are
 * counted in it whenever there are any: "No drift." alone above a list of eight resources destroyed with
 * {@code destroy --exclude} read as a clean mesh, and with {@code --fail-on-pending} the line names them as the
 * reason the check failed rather than saying "No drift".
 */
final class DriftSummary {
    /** Per resource, in JUnit and wherever the not-applied resources are listed as the reason for failing. */
    static final String NOT_APPLIED = "declared in the stack, not applied (the state does not record it)";

    private DriftSummary() {
    }

    /** "1 resource matches what meshform applied." */
    static String matched(DriftReport r) {
        return Plural.of(r.checked().size(), "resource") + (r.checked().size() == 1 ? " matches" : " match")
                + " what meshform applied.";
    }

    /** The tail after "No drift" of a report that passes: "No drift in the 1 applied resource; 8 declared ...". */
    static String passed(DriftReport r) {
        if (r.notYetApplied().isEmpty()) {
            return ". " + matched(r);
        }
        return " in the " + Plural.of(r.checked().size(), "applied resource") + "; " + notApplied(r) + ".";
    }

    /** The line of a report that fails: drift, declared resources not applied under --fail-on-pending, or both. */
    static String failed(DriftReport r) {
        if (r.driftFound()) {
            String line = "Drift: " + Plural.of(r.entries().size(), "finding") + " in "
                    + Plural.of(r.checked().size(), "resource") + " checked";
            return r.notYetApplied().isEmpty() ? line + "." : line + "; " + notApplied(r) + reason(r) + ".";
        }
        return upper(notApplied(r)) + reason(r) + "; " + matched(r);
    }

    /** "8 declared resources are not applied". */
    private static String notApplied(DriftReport r) {
        int n = r.notYetApplied().size();
        return Plural.of(n, "declared resource") + (n == 1 ? " is" : " are") + " not applied";
    }

    private static String reason(DriftReport r) {
        return r.failOnPending() ? " (--fail-on-pending)" : " (not drift)";
    }

    private static String upper(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}

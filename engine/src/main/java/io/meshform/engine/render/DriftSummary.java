package io.meshform.engine.render;

import io.meshform.engine.drift.DriftReport;
import java.util.ArrayList;
import java.util.List;

/**
 * The one-line verdict of a drift report, in every format that has one. Declared resources that are not applied are
 * counted in it whenever there are any: "No drift." alone above a list of eight resources destroyed with
 * {@code destroy --exclude} read as a clean mesh, and with {@code --fail-on-pending} the line names them as the
 * reason the check failed rather than saying "No drift".
 */
final class DriftSummary {
    /** Per resource, in JUnit and wherever the not-applied resources are listed as the reason for failing. */
    static final String NOT_APPLIED = "declared in the stack, not applied (the state does not record it)";
    /** Per resource checked in part, in JUnit and in the heading of the list in text and Markdown. */
    static final String NOT_CHECKED = "not checked in full";

    private DriftSummary() {
    }

    /** "1 resource matches what meshform applied." */
    static String matched(DriftReport r) {
        return Plural.of(r.checked().size(), "resource") + (r.checked().size() == 1 ? " matches" : " match")
                + " what meshform applied.";
    }

    /**
     * The tail after "No drift" of a report that passes: "No drift in the 1 applied resource; 8 declared ...", and
     * "No drift in what was checked of the 1 applied resource; 1 resource is not checked in full." when a part could not
     * be checked (a rotated sensitive value): "No drift" alone would say more than is known.
     */
    static String passed(DriftReport r) {
        if (r.notYetApplied().isEmpty() && r.notChecked().isEmpty()) {
            return ". " + matched(r);
        }
        String of = r.notChecked().isEmpty() ? " in the " : " in what was checked of the ";
        return of + Plural.of(r.checked().size(), "applied resource") + "; " + String.join("; ", pending(r, false)) + ".";
    }

    /** The line of a report that fails: drift, resources not applied or not checked under --fail-on-pending, or both. */
    static String failed(DriftReport r) {
        if (r.driftFound()) {
            String line = "Drift: " + Plural.of(r.entries().size(), "finding") + " in "
                    + Plural.of(r.checked().size(), "resource") + " checked";
            List<String> pending = pending(r, true);
            return pending.isEmpty() ? line + "." : line + "; " + String.join("; ", pending) + ".";
        }
        return upper(String.join("; ", pending(r, true))) + "; "
                + (r.notChecked().isEmpty() ? matched(r) : "no drift in what was checked.");
    }

    /** "1 resource is not checked in full", "8 declared resources are not applied", each with its reason when asked. */
    private static List<String> pending(DriftReport r, boolean withReason) {
        List<String> out = new ArrayList<>();
        if (!r.notChecked().isEmpty()) {
            int n = r.notChecked().size();
            out.add(Plural.of(n, "resource") + (n == 1 ? " is" : " are") + " not checked in full" + (withReason ? reason(r) : ""));
        }
        if (!r.notYetApplied().isEmpty()) {
            out.add(notApplied(r) + (withReason ? reason(r) : ""));
        }
        return out;
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

package io.meshform.engine.render;

import io.meshform.engine.plan.Plan;

/**
 * What a plan without changes may claim. A partial plan ({@code --target}, {@code --exclude}) compared only the
 * resources it planned: "The cluster matches the stack" would also vouch for the ones it left out, whose changes it
 * neither read nor shows (a PeerAuthentication edited in the file stays as it is in the cluster).
 */
final class NoChanges {
    private NoChanges() {
    }

    /** "The 1 planned resource matches the cluster; the 8 left out of this plan were not compared (...)". */
    static String partial(Plan plan) {
        int planned = plan.changes().size();
        int left = plan.notPlanned().size();
        return "The " + planned + (planned == 1 ? " planned resource matches" : " planned resources match")
                + " the cluster; the " + left + (left == 1 ? " resource left out of this plan (--target, --exclude) was"
                : " resources left out of this plan (--target, --exclude) were") + " not compared: plan"
                + " without --target and --exclude to compare the whole stack `" + plan.stackName() + "`.";
    }

    /**
     * What a plan without changes adds under its warnings ({@code where}: "above" or "below"), or nothing. "The cluster
     * matches the stack" under a warning that istiod serves nothing read as all-clear: the objects match, the mesh does
     * not work, and apply will not change that.
     */
    static String warnings(Plan plan, String where) {
        long n = plan.diagnostics().stream().filter(d -> d.severity() == io.meshform.engine.diag.Severity.WARNING).count()
                + unchanged(plan).size();
        return n == 0 ? "" : " There is nothing to apply, so " + (n == 1 ? "the warning " + where + " stays"
                : "the " + n + " warnings " + where + " stay") + " until the stack or the cluster changes.";
    }

    /**
     * The warnings of the resources a plan leaves unchanged, as "ADDR: warning". No change lists them, yet they hold
     * (kubernetes.labels on a namespace being deleted: "changes to it will be lost"; a field another manager owns) and
     * `--strict` fails on them, while the text and the Markdown printed only "No changes" and `--json` alone had them.
     */
    static java.util.List<String> unchanged(Plan plan) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (io.meshform.engine.plan.ResourceChange c : plan.changes()) {
            if (!c.changes()) {
                c.warnings().forEach(w -> out.add(c.label() + ": " + w));
            }
        }
        return out;
    }
}

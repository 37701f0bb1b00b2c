package io.meshform.cli;

import io.meshform.engine.apply.ApplyResult;
import io.meshform.engine.apply.HalfReplacedException;
import io.meshform.engine.apply.NotRecordedException;
import io.meshform.engine.plan.ResourceChange;
import io.meshform.engine.render.Style;
import io.meshform.engine.spi.Action;
import java.util.List;
import java.util.Map;

/**
 * What an apply or destroy says when its run ends ({@link ApplyResult}): the counts as the plan counted them, and for a
 * run that did not finish, each failed, unrecorded and not-started step, and what to do next.
 */
final class ApplyReport {
    private final Terminal terminal;
    private final boolean destroy;

    ApplyReport(Terminal terminal, boolean destroy) {
        this.terminal = terminal;
        this.destroy = destroy;
    }

    /** Prints the run's end; returns its exit code. */
    int print(ApplyResult result, Style style) {
        int added = 0;
        int changed = 0;
        int destroyed = 0;
        int forgotten = 0;
        int gone = 0;
        int recorded = 0;
        int waited = 0;
        for (ResourceChange c : result.done()) {
            if (c.waitsOnly()) {
                waited++;  // as the plan counted it: nothing in it changed, apply waited until it was ready
                continue;
            }
            if (c.records()) {
                recorded++;  // as the plan counted it: in the cluster already, now in the state
                continue;
            }
            if (c.forgets()) {
                forgotten++;  // adopted: no longer managed, still in the cluster
                continue;
            }
            if (c.dropsRecord()) {
                gone++;  // deleted by something else before: only its record left the state
                continue;
            }
            if (c.action() == Action.CREATE || c.action() == Action.REPLACE) {
                added++;
            }
            if (c.action() == Action.UPDATE) {
                changed++;
            }
            if (c.action() == Action.DELETE || c.action() == Action.REPLACE) {
                destroyed++;
            }
        }
        // A replacement that failed half-way changed the cluster and the state by its half: counted as such.
        for (RuntimeException e : result.failed().values()) {
            if (e instanceof HalfReplacedException half) {
                if (half.half() == HalfReplacedException.Half.DESTROYED) {
                    destroyed++;
                } else {
                    added++;
                }
            }
        }
        // Steps whose change reached the cluster but whose record the state refused: done, not failed.
        long notRecorded = result.failed().values().stream().filter(e -> e instanceof NotRecordedException).count();
        String counts = added + " added, " + changed + " changed, " + destroyed + " destroyed"
                + (forgotten > 0 ? ", " + forgotten + " no longer managed (left in the cluster)" : "")
                + (gone > 0 ? ", " + gone + " forgotten (already gone from the cluster)" : "")
                + (recorded > 0 ? ", " + recorded + " recorded in state" : "")
                + (waited > 0 ? ", " + waited + " waited for" : "")
                + (notRecorded > 0 ? ", " + notRecorded + " applied in the cluster but not recorded in the state" : "") + ".";
        if (result.succeeded()) {
            terminal.out().println("\n" + style.green(style.bold((destroy ? "Destroy" : "Apply") + " complete! Resources: " + counts)));
            return ExitCodes.OK;
        }
        if (result.lockLost() != null) {
            return printLockLost(result, style, counts);
        }
        StringBuilder sb = new StringBuilder("\n");
        String verb = destroy ? "Destroy" : "Apply";
        String verdict = result.interrupted() ? verb + " interrupted."
                : result.failed().isEmpty() && result.notStarted().isEmpty()
                        ? verb + " finished in the cluster, but the state could not be written whole."
                : notRecorded == result.failed().size() ? verb + " stopped: the state could not record what was applied."
                : verb + " failed.";
        sb.append(style.red(style.bold(verdict + " Resources: " + counts))).append('\n');
        // Why the state refused is the same for every step (one backend, one permission): said once, not per object.
        java.util.Set<String> whyNotRecorded = new java.util.LinkedHashSet<>();
        java.util.Set<String> remedies = new java.util.LinkedHashSet<>();
        for (Map.Entry<ResourceChange, RuntimeException> f : result.failed().entrySet()) {
            if (f.getValue() instanceof NotRecordedException n) {
                sb.append(style.red("  not recorded: " + f.getKey().label() + " (" + n.done() + " in the cluster)")).append('\n');
                whyNotRecorded.add(io.meshform.engine.diag.ControlChars.escape(String.valueOf(n.getMessage())));
                // A remedy the message already carries (a refused server certificate's advice) is said once.
                if (n.getCause() instanceof io.meshform.state.StateException refused && refused.remedy() != null
                        && !String.valueOf(n.getMessage()).contains(refused.remedy())) {
                    remedies.add(io.meshform.engine.diag.ControlChars.escape(refused.remedy()));
                }
            } else if (f.getValue() instanceof HalfReplacedException half) {
                sb.append(style.red("  failed:      " + failure(f.getKey().address(), half.failure()))).append('\n');
                sb.append(style.red("               (half done: " + half.whatHappened() + ")")).append('\n');
            } else {
                sb.append(style.red("  failed:      " + failure(f.getKey().address(), f.getValue()))).append('\n');
            }
        }
        whyNotRecorded.forEach(why -> sb.append(style.red("  the state could not record them: " + why.replace("\n", "\n    ")))
                .append('\n'));
        for (ResourceChange c : result.notStarted()) {
            sb.append("  not started: ").append(c.label()).append('\n');
        }
        if (notRecorded > 0) {
            // What makes the state writable again is the backend's to say (a full disk, a read-only mount, RBAC on
            // a Secret): "check the credentials" after a full local disk sent users to the wrong place.
            sb.append("The objects not recorded are in the cluster as planned; the state does not know them yet: the next"
                    + " plan shows them as to record, and the next apply records them once the state can be written ("
                    + (remedies.isEmpty() ? "fix the cause above" : String.join("; ", remedies)) + ").\n");
        }
        if (result.stateNotWritten() != null) {
            // What the journal keeps, and what to do: the state file itself is at its earlier serial. Unless the end's
            // whole write failed as the steps' records did, which is said above already.
            String why = io.meshform.engine.diag.ControlChars.escape(result.stateNotWritten().getMessage());
            if (!whyNotRecorded.contains(why)) {
                sb.append(style.red(why));
            }
        } else {
            sb.append("The state records every step that finished (serial ").append(result.state().serial())
                    .append("). Fix the cause and run `meshform " + verb.toLowerCase(java.util.Locale.ROOT)
                    + "` again: finished steps will show no changes.");
        }
        terminal.err().println(sb.toString().stripTrailing());
        return ExitCodes.ERROR;
    }

    /**
     * "ADDR: what went wrong", the address once: a provider's error names its resource already ("ADDR: cannot apply
     * ..."), and a diagnostic's rendering adds "error: " and a count, which the "failed:" line says for itself.
     */
    static String failure(io.meshform.engine.model.ResourceAddress address, RuntimeException e) {
        String message = e instanceof io.meshform.engine.diag.DiagnosticsException d && !d.diagnostics().isEmpty()
                ? String.join("\n", d.diagnostics().stream().map(x -> x.summary()
                        + (x.detail() == null || x.detail().isBlank() ? "" : "\n" + x.detail())).toList())
                : String.valueOf(e.getMessage());
        // A client's or an unexpected exception's message is not a diagnostic's, which escapes its own: an API server's
        // or istioctl's text may carry an ESC sequence (escaping twice changes nothing).
        message = io.meshform.engine.diag.ControlChars.escape(message);
        String prefix = address + ": ";
        while (message.startsWith(prefix)) {
            message = message.substring(prefix.length());
        }
        return prefix + message.replace("\n", "\n               ");
    }

    /**
     * The run lost its lock (e.g. it was paused past its lease and another run took it): say what this run did,
     * and that the state is now the other run's, not what this run last wrote.
     */
    private int printLockLost(ApplyResult result, Style style, String counts) {
        StringBuilder sb = new StringBuilder("\n");
        sb.append(style.red(style.bold((destroy ? "Destroy" : "Apply") + " stopped: this run lost the state lock."
                + " Resources: " + counts))).append('\n');
        sb.append(style.red("  " + io.meshform.engine.diag.ControlChars.escape(result.lockLost().getMessage()))).append('\n');
        sb.append("  finished before that (").append(result.done().size()).append("):");
        List<String> done = result.done().stream().map(ResourceChange::label).toList();
        sb.append(done.isEmpty() ? " none" : "\n    " + String.join("\n    ", done)).append('\n');
        for (Map.Entry<ResourceChange, RuntimeException> f : result.failed().entrySet()) {
            sb.append("  not recorded: ").append(f.getKey().address())
                    .append(" (its change may have reached the cluster; the next plan shows it)\n");
        }
        for (ResourceChange c : result.notStarted()) {
            sb.append("  not started: ").append(c.label()).append('\n');
        }
        sb.append("Nothing was written after the lock was lost: the state is as the run that holds the lock now left "
                + "it, which may not include the steps above. Once that run is done, run `meshform plan` to see "
                + "where things stand.");
        terminal.err().println(sb.toString().stripTrailing());
        return ExitCodes.ERROR;
    }
}

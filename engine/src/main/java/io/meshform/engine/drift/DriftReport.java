package io.meshform.engine.drift;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceAddress;
import java.util.List;

/**
 * The result of a drift check: findings, plus every resource checked (so reports can list the clean ones), and
 * {@code notes}: what a check calls informational (an {@code istioctl analyze} message of level Info, a summary of
 * messages about objects the stack does not touch), shown but not drift.
 *
 * <p>{@code notYetApplied} are declared resources the state does not record. They are not drift (nothing changed
 * behind meshform's back), but a scheduled check of a stack meant to be applied whole cannot tell them from resources
 * someone destroyed with {@code destroy --exclude}: with {@code failOnPending} they fail the check too.
 *
 * <p>{@code notChecked} are applied resources drift could check only in part ({@link NotChecked}: a sensitive value
 * rotated in the stack and not applied yet). Not drift either, and with {@code failOnPending} a failure: a scheduled
 * check must not pass on what it did not check.
 */
public record DriftReport(String stackName, List<ResourceAddress> checked, List<DriftEntry> entries,
                          List<ResourceAddress> notYetApplied, List<NotChecked> notChecked, List<Diagnostic> notes,
                          boolean failOnPending) {

    public DriftReport {
        checked = List.copyOf(checked);
        entries = List.copyOf(entries);
        notYetApplied = List.copyOf(notYetApplied);
        notChecked = List.copyOf(notChecked);
        notes = List.copyOf(notes);
    }

    public DriftReport(String stackName, List<ResourceAddress> checked, List<DriftEntry> entries,
                       List<ResourceAddress> notYetApplied, List<NotChecked> notChecked, List<Diagnostic> notes) {
        this(stackName, checked, entries, notYetApplied, notChecked, notes, false);
    }

    public DriftReport(String stackName, List<ResourceAddress> checked, List<DriftEntry> entries,
                       List<ResourceAddress> notYetApplied, List<Diagnostic> notes) {
        this(stackName, checked, entries, notYetApplied, List.of(), notes, false);
    }

    public DriftReport(String stackName, List<ResourceAddress> checked, List<DriftEntry> entries,
                       List<ResourceAddress> notYetApplied) {
        this(stackName, checked, entries, notYetApplied, List.of(), List.of(), false);
    }

    /** The same report, judged with or without {@code --fail-on-pending}. */
    public DriftReport withFailOnPending(boolean on) {
        return new DriftReport(stackName, checked, entries, notYetApplied, notChecked, notes, on);
    }

    /** The same report with {@code notes} instead of its own. */
    public DriftReport withNotes(List<Diagnostic> notes) {
        return new DriftReport(stackName, checked, entries, notYetApplied, notChecked, notes, failOnPending);
    }

    /** Something changed behind meshform's back, or an unmanaged object weakens the stack. */
    public boolean driftFound() {
        return !entries.isEmpty();
    }

    /** Declared resources are not applied, or applied ones not checked in full, and the check was asked to fail on that. */
    public boolean pendingFails() {
        return failOnPending && (!notYetApplied.isEmpty() || !notChecked.isEmpty());
    }

    /**
     * The check fails (exit 2): drift, or with {@code failOnPending} declared resources not applied or applied ones
     * not checked in full.
     */
    public boolean failed() {
        return driftFound() || pendingFails();
    }
}

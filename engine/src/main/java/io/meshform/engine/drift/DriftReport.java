package io.meshform.engine.drift;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceAddress;
import java.util.List;

/**
 * The result of a drift check: findings, plus every resource checked (so reports can list the clean ones), and
 * {@code notes}: what a check calls informational (an {@code istioctl analyze} message of level Info, a summary of
 * messages about objects the stack does not touch), shown but not drift.
 */
public record DriftReport(String stackName, List<ResourceAddress> checked, List<DriftEntry> entries,
                          List<ResourceAddress> notYetApplied, List<Diagnostic> notes) {

    public DriftReport {
        checked = List.copyOf(checked);
        entries = List.copyOf(entries);
        notYetApplied = List.copyOf(notYetApplied);
        notes = List.copyOf(notes);
    }

    public DriftReport(String stackName, List<ResourceAddress> checked, List<DriftEntry> entries,
                       List<ResourceAddress> notYetApplied) {
        this(stackName, checked, entries, notYetApplied, List.of());
    }

    public boolean driftFound() {
        return !entries.isEmpty();
    }
}

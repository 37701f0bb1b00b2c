package io.meshform.engine.drift;

import io.meshform.engine.model.ResourceAddress;
import java.util.List;

/** The result of a drift check: findings, plus every resource checked (so reports can list the clean ones). */
public record DriftReport(String stackName, List<ResourceAddress> checked, List<DriftEntry> entries,
                          List<ResourceAddress> notYetApplied) {

    public DriftReport {
        checked = List.copyOf(checked);
        entries = List.copyOf(entries);
        notYetApplied = List.copyOf(notYetApplied);
    }

    public boolean driftFound() {
        return !entries.isEmpty();
    }
}

package io.meshform.engine.drift;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.PlanDetail;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * One finding. {@code expected} is what meshform applied, {@code live} what the cluster holds now, {@code details}
 * the resource type's own lines (which objects behind one resource differ, e.g. those of an Istio install); for a
 * {@link DriftKind#WEAKENED} finding the diagnostic says what and where, and the address may be null.
 */
public record DriftEntry(ResourceAddress address, DriftKind kind, String summary, JsonNode expected, JsonNode live,
                         List<PlanDetail> details, Diagnostic diagnostic) {
    public DriftEntry {
        details = details == null ? List.of() : List.copyOf(details);
    }
}

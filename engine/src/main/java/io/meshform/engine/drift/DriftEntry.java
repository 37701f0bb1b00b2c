package io.meshform.engine.drift;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceAddress;
import tools.jackson.databind.JsonNode;

/**
 * One finding. {@code expected} is what meshform applied, {@code live} what the cluster holds now; for a
 * {@link DriftKind#WEAKENED} finding the diagnostic says what and where, and the address may be null.
 */
public record DriftEntry(ResourceAddress address, DriftKind kind, String summary, JsonNode expected, JsonNode live,
                         Diagnostic diagnostic) {
}

package io.meshform.engine.drift;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.PlanDetail;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * One finding. {@code expected} is what meshform applied, {@code live} what the cluster holds now, {@code details}
 * the resource type's own lines (which objects behind one resource differ, e.g. those of an Istio install); for a
 * check's finding ({@link DriftKind#WEAKENED}, {@link DriftKind#DEGRADED}, {@link DriftKind#UNCHECKED}) the diagnostic says what and where,
 * {@code check} names the check, and the address is null. A {@link DriftKind#DEPOSED} finding names the deposed
 * object's key: the resource's own object may be clean beside it.
 */
public record DriftEntry(ResourceAddress address, DriftKind kind, String summary, JsonNode expected, JsonNode live,
                         List<PlanDetail> details, Diagnostic diagnostic, String deposedKey, String check) {
    public DriftEntry {
        details = details == null ? List.of() : List.copyOf(details);
    }

    /** A finding about a resource's object or a deposed object of it. */
    public DriftEntry(ResourceAddress address, DriftKind kind, String summary, JsonNode expected, JsonNode live,
                      List<PlanDetail> details, Diagnostic diagnostic, String deposedKey) {
        this(address, kind, summary, expected, live, details, diagnostic, deposedKey, null);
    }

    /** A check's mesh-wide finding: its kind is what the check's findings mean ({@link io.meshform.engine.spi.PlanCheck#concern}). */
    public static DriftEntry of(io.meshform.engine.plan.CheckFinding f) {
        DriftKind kind = switch (f.concern()) {
            case WEAKENS -> DriftKind.WEAKENED;
            case DEGRADES -> DriftKind.DEGRADED;
            case UNCHECKED -> DriftKind.UNCHECKED;
        };
        return new DriftEntry(null, kind, f.diagnostic().summary(), null, null, List.of(), f.diagnostic(), null, f.check());
    }

    /** A finding about a resource's own object, or a mesh-wide one. */
    public DriftEntry(ResourceAddress address, DriftKind kind, String summary, JsonNode expected, JsonNode live,
                      List<PlanDetail> details, Diagnostic diagnostic) {
        this(address, kind, summary, expected, live, details, diagnostic, null);
    }

    /** What the finding is about, as reports name it: "mesh", the address, or "ADDR (deposed object KEY)" as plans say. */
    public String subject() {
        if (address == null) {
            return "mesh";
        }
        return deposedKey == null ? address.toString() : address + " (deposed object " + deposedKey + ")";
    }
}

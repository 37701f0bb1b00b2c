package io.meshform.engine.spi;

import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A provider's answer to a {@link PlanRequest}. {@code before} and {@code after} are what the reviewer sees
 * diffed (only fields meshform manages); {@code privateData} travels from plan to apply untouched (e.g. a
 * rendered-manifest digest); {@code details} are extra lines for the plan (e.g. the Istio objects an install
 * would change), typed so renderers never parse them.
 */
public record PlannedChange(Action action, String reason, JsonNode before, JsonNode after, List<PlanDetail> details,
                            List<String> warnings, Map<String, String> privateData) {
    /**
     * The {@link #privateData} key of a replacement whose new object is a different object from the old one (it has
     * another identity in the target system): apply creates the new one first and deletes the old one only after the
     * create succeeded, as Terraform's {@code create_before_destroy}. A create that fails leaves the old one in force.
     */
    public static final String CREATE_FIRST = "meshform/create-first";

    /**
     * The {@link #privateData} key of an update that changes nothing in the target system and only waits: the object is
     * as declared, but no apply finished waiting for it to become ready (one was interrupted, or its wait timed out).
     * Apply writes it again unchanged and waits before the resources that depend on it. The plan says "will be waited
     * for", not "updated in-place", and counts it apart ("1 to wait for"), as Terraform names an incomplete resource in
     * words of its own rather than as a change.
     */
    public static final String WAIT_ONLY = "meshform/wait-only";

    /**
     * The {@link #privateData} key of a replacement of an object the target system is deleting already (held by a
     * finalizer; a destroy that stopped while it waited leaves it so): its reason says so, and drift reports it in those
     * words, not as "changed outside meshform", which the interrupted destroy may have been meshform's own.
     */
    public static final String BEING_DELETED = "meshform/being-deleted";

    public PlannedChange {
        details = List.copyOf(details);
        warnings = List.copyOf(warnings);
        privateData = Map.copyOf(privateData);
    }

    public static PlannedChange of(Action action, String reason, JsonNode before, JsonNode after) {
        return new PlannedChange(action, reason, before, after, List.of(), List.of(), Map.of());
    }

    public PlannedChange withDetails(List<PlanDetail> moreDetails) {
        return new PlannedChange(action, reason, before, after, moreDetails, warnings, privateData);
    }

    public PlannedChange withWarnings(List<String> moreWarnings) {
        return new PlannedChange(action, reason, before, after, details, moreWarnings, privateData);
    }

    /** This replacement, applied new object first and old one deleted after ({@link #CREATE_FIRST}). */
    public PlannedChange createdBeforeDeleted() {
        Map<String, String> data = new java.util.TreeMap<>(privateData);
        data.put(CREATE_FIRST, "true");
        return withPrivateData(data);
    }

    /** This replacement, of an object being deleted already ({@link #BEING_DELETED}). */
    public PlannedChange beingDeleted() {
        Map<String, String> data = new java.util.TreeMap<>(privateData);
        data.put(BEING_DELETED, "true");
        return withPrivateData(data);
    }

    /** This update, which only waits for an object as declared to become ready ({@link #WAIT_ONLY}). */
    public PlannedChange waitOnly() {
        Map<String, String> data = new java.util.TreeMap<>(privateData);
        data.put(WAIT_ONLY, "true");
        return withPrivateData(data);
    }

    public PlannedChange withPrivateData(Map<String, String> data) {
        return new PlannedChange(action, reason, before, after, details, warnings, data);
    }
}

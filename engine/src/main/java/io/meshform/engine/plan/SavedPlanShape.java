package io.meshform.engine.plan;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.Action;
import java.util.Locale;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;

/**
 * What a saved plan must hold before {@link PlanJson#read} trusts it: a JSON file that was not made by
 * {@code plan --out} (or was cut short or edited) is refused with the field that is wrong, instead of
 * {@code show} printing "No changes. The cluster matches the stack" for {@code {"format_version": 1}}, or a
 * NullPointerException for a change without actions. Messages never quote the file: Jackson's "Unrecognized token
 * '...'" repeats the start of whatever file was named (a token file, a key).
 */
final class SavedPlanShape {
    private SavedPlanShape() {
    }

    static IllegalArgumentException notJson(JacksonException e) {
        TokenStreamLocation at = e.getLocation();
        return new IllegalArgumentException("not a meshform plan file: not valid JSON"
                + (at == null || at.getLineNr() < 1 ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
                + "; a saved plan is the file `meshform plan --out FILE` writes");
    }

    /**
     * A meshform state named where a plan belongs ({@code show meshform.state.json}, {@code apply FILE}) is said to be
     * one. Its own {@code format_version} counts state formats (4 and up), so the version check alone told the user
     * the file was a plan of a newer format and to upgrade meshform, which no upgrade would fix.
     */
    static void notAState(JsonNode root) {
        if (root.has("lineage") && root.has("resources") && !root.has("resource_changes")) {
            throw new IllegalArgumentException("not a meshform plan file: it is a meshform state (it has `lineage` and"
                    + " `resources`, as `meshform state pull` prints); a saved plan is the file `meshform plan --out FILE`"
                    + " writes");
        }
    }

    static void check(JsonNode root) {
        text(root.path("stack"), "name", "stack.name");
        text(root.path("stack"), "digest", "stack.digest");
        JsonNode lineage = root.path("prior_state").path("lineage");
        if (!lineage.isString() && !lineage.isNull()) {
            throw missing("prior_state.lineage", "a string");
        }
        if (!root.path("prior_state").path("serial").isIntegralNumber()) {
            throw missing("prior_state.serial", "a whole number");
        }
        JsonNode changes = root.path("resource_changes");
        if (!changes.isArray()) {
            throw missing("resource_changes", "a list");
        }
        for (int i = 0; i < changes.size(); i++) {
            JsonNode c = changes.get(i);
            String at = "resource_changes[" + i + "]";
            String address = text(c, "address", at + ".address");
            try {
                ResourceAddress.parse(address);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not a meshform plan file: " + at + ".address is not a resource address");
            }
            JsonNode actions = c.path("actions");
            if (!actions.isArray() || actions.isEmpty() || actions.size() > 2) {
                throw missing(at + ".actions", "a list of one or two actions");
            }
            for (JsonNode a : actions) {
                if (!a.isString() || !known(a.asString())) {
                    throw new IllegalArgumentException("not a meshform plan file: " + at + ".actions holds an unknown action");
                }
            }
            foldedRanges(c, at);
        }
    }

    /** {@code folded_details}, when there: ranges [from, to) of whole numbers within {@code details}. */
    private static void foldedRanges(JsonNode change, String at) {
        JsonNode ranges = change.get("folded_details");
        if (ranges == null) {
            return;
        }
        int lines = change.path("details").size();
        if (!ranges.isArray()) {
            throw missing(at + ".folded_details", "a list");
        }
        for (JsonNode r : ranges) {
            if (!r.isArray() || r.size() != 2 || !r.get(0).isIntegralNumber() || !r.get(1).isIntegralNumber()
                    || r.get(0).asLong() < 0 || r.get(0).asLong() > r.get(1).asLong() || r.get(1).asLong() > lines) {
                throw missing(at + ".folded_details", "a list of [from, to] ranges of indexes into `details`");
            }
        }
    }

    private static boolean known(String action) {
        for (Action a : Action.values()) {
            if (a.name().equals(action.toUpperCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    private static String text(JsonNode parent, String field, String shown) {
        JsonNode v = parent.path(field);
        if (!v.isString() || v.asString().isEmpty()) {
            throw missing(shown, "a string");
        }
        return v.asString();
    }

    private static IllegalArgumentException missing(String field, String expected) {
        return new IllegalArgumentException("not a meshform plan file: `" + field + "` is missing or not " + expected
                + "; a saved plan is the file `meshform plan --out FILE` writes");
    }
}

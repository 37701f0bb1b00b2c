package io.meshform.state;

import tools.jackson.databind.JsonNode;

/**
 * Names a meshform file of another kind given where a state belongs ({@code state push prod.plan}): a saved plan
 * also has a {@code format_version} and a {@code stack}, so reading it as a state told the user that format 1 lacks
 * {@code stack} and that the file "must say "format_version": 2", an edit that would not make a plan a state.
 */
final class NotAState {
    private NotAState() {
    }

    static void refusePlan(JsonNode doc) {
        if (doc.has("resource_changes") && !doc.has("lineage")) {
            throw new FormatProblem("it is a saved meshform plan (it has `resource_changes`, as `meshform plan --out`"
                    + " writes), not a state");
        }
    }
}

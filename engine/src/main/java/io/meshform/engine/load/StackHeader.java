package io.meshform.engine.load;

import io.meshform.engine.diag.Diagnostics;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The lines every stack file starts with. A file missing them (a new user's first try: {@code resources: []}) got one
 * "missing required field" error per line and no example; it now gets one error naming what is missing and showing
 * the header once, as kubectl and terraform show the expected shape rather than a list of absent keys.
 */
final class StackHeader {
    /** The header of a stack, as the user would type it. */
    static final String LINES = "apiVersion: " + StackLoader.API_VERSION + "\nkind: Stack\nmetadata:\n  name: NAME";

    private StackHeader() {
    }

    /**
     * Reports in one error the header fields {@code root} lacks: apiVersion and kind in every file, metadata in the
     * stack file itself (an imported file takes the importer's). A key written with no value ({@code apiVersion:}) is
     * missing too; {@code metadata:} with no value is reported where metadata is read, as a mapping it is not.
     */
    static void reportMissing(YamlDocument doc, JsonNode root, boolean topLevel, Diagnostics out) {
        List<String> missing = new ArrayList<>();
        for (String key : List.of("apiVersion", "kind")) {
            if (!root.has(key) || root.get(key).isNull()) {
                missing.add("`" + key + "`");
            }
        }
        if (topLevel && !root.has("metadata")) {
            missing.add("`metadata`");
        }
        if (missing.isEmpty()) {
            return;
        }
        String fields = missing.size() == 1 ? "field " + missing.get(0)
                : "fields " + String.join(", ", missing.subList(0, missing.size() - 1)) + " and " + missing.get(missing.size() - 1);
        out.error("missing required " + fields + " in the stack",
                "a stack file starts with these lines (NAME is the stack's name):\n" + LINES.indent(2).stripTrailing(),
                doc.rangeOf(""));
    }
}

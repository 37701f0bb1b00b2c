package io.meshform.engine.load;

import io.meshform.engine.diag.Diagnostics;
import io.meshform.engine.diag.Quote;
import io.meshform.engine.diag.Suggestions;
import io.meshform.engine.model.Environment;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * A stack's {@code metadata:} (its name and environment) as one {@link StackLoader#load} reads it from the stack file
 * and its imports. Read as written: a variable reference there is refused, since a name and an environment take none.
 */
final class StackMetadata {
    private static final Set<String> KEYS = Set.of("name", "environment", "description");
    /**
     * A stack's name: printed raw in plans, drift reports, their Markdown headings and the state, so no control character,
     * blank or markup can be in it (a YAML string may hold {@code \\e]52;...} or {@code `<img ...>}).
     */
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]{0,251}[A-Za-z0-9])?");

    private String name;
    private Environment environment = Environment.PRODUCTION;

    /** The stack's name; null when no file gave a valid one (reported). */
    String name() {
        return name;
    }

    Environment environment() {
        return environment;
    }

    /** Reads one file's {@code metadata:}; files are read imports first, so the importing file's values win. */
    void read(YamlDocument doc, ObjectShape shape, JsonNode root, Diagnostics out, boolean topLevel) {
        JsonNode md = root.get("metadata");
        if (md == null) {
            return; // reported with the rest of the header (StackHeader)
        }
        if (!shape.isObject(md, "/metadata", "`metadata`")) {
            return;
        }
        shape.knownKeys(md, "/metadata", "metadata", KEYS);
        String name = shape.string(md, "/metadata", "name");
        if (Uninterpolated.refused(name, "`metadata.name`", "write the stack's name", doc.rangeOf("/metadata/name"), out)) {
            // said where it is written; the name stays unset, and the environment is still checked
        } else if (name != null && !NAME.matcher(name).matches()) {
            out.error("invalid stack name `" + Quote.shortened(name) + "`", "use letters, digits, '-', '_' and '.', starting"
                    + " and ending with a letter or digit, at most 253 characters: the name is printed in every plan and"
                    + " drift report, where a control character or Markdown would act rather than show",
                    doc.rangeOf("/metadata/name"));
        } else if (name != null) {
            this.name = name;
        } else if (topLevel && this.name == null) {
            shape.required(md, "/metadata", "name", "metadata");
        }
        String env = shape.string(md, "/metadata", "environment");
        if (env != null && !Uninterpolated.refused(env, "`metadata.environment`", "write production, staging or"
                + " development (one stack file per environment, as examples/ has)", doc.rangeOf("/metadata/environment"), out)) {
            try {
                this.environment = Environment.valueOf(env.toUpperCase());
            } catch (IllegalArgumentException e) {
                out.error("unknown environment `" + env + "`",
                        Suggestions.hint(env, List.of("production", "staging", "development")),
                        doc.rangeOf("/metadata/environment"));
            }
        }
    }
}

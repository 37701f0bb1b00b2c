package io.meshform.engine.load;

import io.meshform.engine.diag.Diagnostics;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.diag.Suggestions;
import io.meshform.engine.model.BackendConfig;
import io.meshform.state.BackendCatalog;
import io.meshform.state.BackendKind;
import io.meshform.state.SettingProblem;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * A stack file's {@code backend:} block: exactly one backend kind of those on the class path, its settings checked by
 * the kind itself ({@link BackendKind#check}), each problem shown where its setting is written, and a local
 * {@code path} kept inside the stack's root.
 */
final class StackBackend {
    private final BackendCatalog backends;

    StackBackend(BackendCatalog backends) {
        this.backends = backends;
    }

    /**
     * The file's {@code backend:} block, its problems added to {@code out}; null when the file has none, or one that
     * names no known kind or is not a mapping (said in {@code out}).
     */
    BackendConfig read(YamlDocument doc, ObjectShape shape, JsonNode root, StackRoot stackRoot, Path stackDirectory,
                       Diagnostics out) {
        JsonNode b = root.get("backend");
        if (b == null || !shape.isObject(b, "/backend", "`backend`")) {
            return null;
        }
        String expected = "expected one of " + String.join(", ", backends.names().stream().map(n -> "`" + n + ":`").toList());
        if (b.size() != 1) {
            out.error("`backend` must name exactly one backend", expected, doc.rangeOf("/backend"));
            return null;
        }
        String kind = b.propertyNames().iterator().next();
        Optional<BackendKind> found = backends.find(kind);
        if (found.isEmpty()) {
            out.error("unknown backend `" + kind + "`", Suggestions.hint(kind, backends.names()),
                    doc.rangeOf("/backend/" + YamlReader.escape(kind)));
            return null;
        }
        JsonNode settings = b.get(kind);
        String p = "/backend/" + kind;
        Map<String, String> values = new TreeMap<>();
        if (settings != null && !settings.isNull()) {
            if (!shape.isObject(settings, p, "backend `" + kind + "`")) {
                return null;
            }
            shape.knownKeys(settings, p, "backend `" + kind + "`", found.get().settings().keySet());
            settings.forEachEntry((k, v) -> values.put(k, v.isString() ? v.asString() : v.toString()));
        }
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (Uninterpolated.refused(e.getValue(), "backend `" + kind + "`: `" + e.getKey() + "`", "write the value itself,"
                    + " or give the state on the command line (--state FILE, --state-secret NAMESPACE/NAME)",
                    doc.rangeOf(p + "/" + YamlReader.escape(e.getKey())), out)) {
                return null;
            }
        }
        if (values.containsKey("path")) {
            try {
                // The state is written there: a stack must not make the run write outside its root either.
                stackRoot.resolve(stackDirectory, values.get("path"), "backend path", doc.rangeOf(p + "/path"));
            } catch (DiagnosticsException e) {
                e.diagnostics().forEach(out::add);
            }
        }
        // The backend kind owns its rules; each problem is shown where its setting is written.
        for (SettingProblem problem : found.get().check(values)) {
            String at = problem.key() != null && settings != null && settings.has(problem.key())
                    ? p + "/" + YamlReader.escape(problem.key()) : p;
            out.error(problem.message(), problem.hint(), doc.rangeOf(at));
        }
        return new BackendConfig(kind, values);
    }
}

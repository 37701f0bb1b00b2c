package io.meshform.providers.kubernetes;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.diag.SourceRange;
import java.io.File;
import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.MismatchedInputException;

/**
 * Why a kubeconfig does not parse, said with its file, line and column but never its content. The parsers' own
 * messages quote the offending line with a caret (snakeyaml-engine's {@code Mark} snippet) or the offending value
 * (Jackson's "from String value ('...')"), and in a kubeconfig that line is a token, a password or a client key: the
 * error went to the terminal and to CI logs in clear. kubectl says as little ("error loading config file ...: yaml:
 * line 9: mapping values are not allowed in this context").
 */
final class KubeconfigProblem {
    private static final String NOT_QUOTED = " (meshform does not print the line: a kubeconfig holds credentials)";

    private KubeconfigProblem() {
    }

    /** The problem as a diagnostic at its place in {@code file}, or empty when {@code e} is not a parse error. */
    static Optional<DiagnosticsException> of(File file, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYamlEngineException yaml) {
                return Optional.of(yaml(file, yaml));
            }
            if (t instanceof JacksonException json) {
                return Optional.of(binding(file, json));
            }
        }
        return Optional.empty();
    }

    private static DiagnosticsException yaml(File file, MarkedYamlEngineException e) {
        Optional<Mark> mark = e.getProblemMark().or(e::getContextMark);
        String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
        if (e.getProblem() != null && e.getContext() != null) {
            problem += " (" + e.getContext() + e.getContextMark().map(m -> " from line " + (m.getLine() + 1) + ", column "
                    + (m.getColumn() + 1)).orElse("") + ")";
        }
        return fail("the kubeconfig is not valid YAML: " + problem,
                "fix the file at this line and column" + NOT_QUOTED,
                new SourceRange(file.toString(), mark.map(m -> m.getLine() + 1).orElse(0),
                        mark.map(m -> m.getColumn() + 1).orElse(0)));
    }

    private static DiagnosticsException binding(File file, JacksonException e) {
        String path = path(e.getPath());
        String expected = e instanceof MismatchedInputException m && m.getTargetType() != null
                ? expected(m.getTargetType()) : null;
        String summary = path.isEmpty()
                ? "the file is not a kubeconfig: expected a mapping with apiVersion: v1, kind: Config, clusters, contexts and users"
                : "the kubeconfig's `" + path + "` has the wrong type" + (expected == null ? "" : ": expected " + expected);
        int line = e.getLocation() == null ? 0 : Math.max(0, e.getLocation().getLineNr());
        int column = e.getLocation() == null ? 0 : Math.max(0, e.getLocation().getColumnNr());
        return fail(summary, "write it as `kubectl config view` prints a kubeconfig" + NOT_QUOTED,
                new SourceRange(file.toString(), line, column));
    }

    /** What a value of the model's type is called in YAML; the model's own classes are mappings. */
    static String expected(Class<?> type) {
        if (CharSequence.class.isAssignableFrom(type)) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (Number.class.isAssignableFrom(type) || type == int.class || type == long.class) {
            return "a whole number";
        }
        return java.util.Collection.class.isAssignableFrom(type) || type.isArray() ? "a list" : "a mapping";
    }

    /** {@code users[0].user.token} from Jackson's reference chain. */
    static String path(List<JacksonException.Reference> references) {
        StringBuilder sb = new StringBuilder();
        for (JacksonException.Reference r : references) {
            if (r.getPropertyName() != null) {
                sb.append(sb.isEmpty() ? "" : ".").append(r.getPropertyName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static DiagnosticsException fail(String summary, String detail, SourceRange at) {
        return new DiagnosticsException(Diagnostic.error(summary, detail, at));
    }
}

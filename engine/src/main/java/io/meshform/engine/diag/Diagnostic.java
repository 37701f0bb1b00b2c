package io.meshform.engine.diag;

/**
 * One problem found while loading, validating or planning. {@code summary} says what is wrong in one line;
 * {@code detail} says what was expected and what to do. {@code range} is null when no source position is
 * known (for example a problem found in the live cluster).
 */
public record Diagnostic(Severity severity, String summary, String detail, SourceRange range) {

    public static Diagnostic error(String summary, String detail, SourceRange range) {
        return new Diagnostic(Severity.ERROR, summary, detail, range);
    }

    public static Diagnostic warning(String summary, String detail, SourceRange range) {
        return new Diagnostic(Severity.WARNING, summary, detail, range);
    }

    public static Diagnostic info(String summary, String detail, SourceRange range) {
        return new Diagnostic(Severity.INFO, summary, detail, range);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** One readable paragraph: "file:line:col: error: summary\n  detail". */
    public String format() {
        StringBuilder out = new StringBuilder();
        if (range != null) {
            out.append(range).append(": ");
        }
        out.append(switch (severity) {
            case ERROR -> "error: ";
            case WARNING -> "warning: ";
            case INFO -> "info: ";
        }).append(summary);
        if (detail != null && !detail.isBlank()) {
            for (String line : detail.split("\n")) {
                out.append("\n  ").append(line);
            }
        }
        return out.toString();
    }
}

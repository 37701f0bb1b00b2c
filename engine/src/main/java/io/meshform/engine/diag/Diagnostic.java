package io.meshform.engine.diag;

/**
 * One problem found while loading, validating or planning. {@code summary} says what is wrong in one line;
 * {@code detail} says what was expected and what to do. {@code range} is null when no source position is
 * known (for example a problem found in the live cluster). Neither holds control characters but newline and tab.
 */
public record Diagnostic(Severity severity, String summary, String detail, SourceRange range) {

    /**
     * Control characters in the text are escaped here ({@link ControlChars}), the one place every diagnostic passes
     * through, whichever command prints it and however: a server's or istioctl's message may carry an ESC sequence
     * the stack wrote. The summary is one line: a line break it quotes (a coverage path or a policy's path written
     * with one) is written {@code \\n}, as plans write it in a value, so the quoted text cannot print a line of its own
     * (a "No changes." under the warning, or a line that closes a Markdown code block).
     */
    public Diagnostic {
        summary = summary == null ? null : ControlChars.escape(summary).replace("\n", "\\n");
        detail = ControlChars.escape(detail);
    }

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
            String[] lines = detail.split("\n");
            // A note's detail can be a whole table (every ingress request tried); the text a reviewer reads keeps
            // its head (checks put what matters first) and the machine-readable outputs keep all of it.
            int shown = severity == Severity.INFO && lines.length > NOTE_LINES ? NOTE_LINES - 1 : lines.length;
            for (int i = 0; i < shown; i++) {
                out.append("\n  ").append(lines[i]);
            }
            if (shown < lines.length) {
                out.append("\n  ... ").append(lines.length - shown).append(" more lines (all of them in the JSON output: validate --json, plan --json, drift --format json)");
            }
        }
        return out.toString();
    }

    /** The most lines of a note's detail that {@link #format()} prints. */
    static final int NOTE_LINES = 12;
}

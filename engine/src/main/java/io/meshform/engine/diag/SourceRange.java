package io.meshform.engine.diag;

/** Where in a desired-state file something was written; line and column are 1-based. */
public record SourceRange(String file, int line, int column) {

    public static SourceRange unknown(String file) {
        return new SourceRange(file, 0, 0);
    }

    public boolean known() {
        return line > 0;
    }

    @Override
    public String toString() {
        return known() ? file + ":" + line + ":" + column : file;
    }
}

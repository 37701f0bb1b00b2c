package io.meshform.engine.spi;

/**
 * A problem a provider found in one field of a spec. The provider knows only the path (a JSON Pointer
 * relative to the resource's {@code spec}); the engine turns it into file:line:column.
 */
public record FieldProblem(String path, String message, String hint, boolean warning, boolean atValue) {

    /** {@code atValue}: shown at the value ({@code STRICTT}) rather than at its key ({@code mode:}). */
    public FieldProblem(String path, String message, String hint, boolean warning) {
        this(path, message, hint, warning, false);
    }

    /** An error in the value itself (not a known one, not of the expected type), shown where the value is written. */
    public static FieldProblem errorAtValue(String path, String message, String hint) {
        return new FieldProblem(path, message, hint, false, true);
    }

    public static FieldProblem error(String path, String message, String hint) {
        return new FieldProblem(path, message, hint, false);
    }

    public static FieldProblem error(String path, String message) {
        return new FieldProblem(path, message, null, false);
    }

    public static FieldProblem warning(String path, String message, String hint) {
        return new FieldProblem(path, message, hint, true);
    }
}

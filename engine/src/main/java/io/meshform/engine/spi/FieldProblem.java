package io.meshform.engine.spi;

/**
 * A problem a provider found in one field of a spec. The provider knows only the path (a JSON Pointer
 * relative to the resource's {@code spec}); the engine turns it into file:line:column.
 */
public record FieldProblem(String path, String message, String hint, boolean warning) {

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

package io.meshform.cli;

/** A failure the user can act on: printed as one paragraph without a stack trace, exit code 1. */
public final class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}

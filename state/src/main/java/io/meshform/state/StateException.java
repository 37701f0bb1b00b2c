package io.meshform.state;

/**
 * A state operation failed in a way the user has to act on. Messages name the state location, what is wrong and
 * what to do next; the CLI prints them as they are.
 */
public class StateException extends RuntimeException {

    public StateException(String message) {
        super(message);
    }

    public StateException(String message, Throwable cause) {
        super(message, cause);
    }
}

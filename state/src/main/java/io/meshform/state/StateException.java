package io.meshform.state;

/**
 * A state operation failed in a way the user has to act on. Messages name the state location, what is wrong and
 * what to do next; the CLI prints them as they are.
 *
 * <p>A refused write may also carry its {@link #remedy()}: what makes this backend's state writable again, in the
 * backend's own terms (free space on the disk, a writable directory, RBAC on the Secret). A summary that outlives the
 * message ("the next apply records them once ...") says that rather than a guess that fits one backend only.
 */
public class StateException extends RuntimeException {
    private final String remedy;

    public StateException(String message) {
        this(message, null, null);
    }

    public StateException(String message, Throwable cause) {
        this(message, cause, null);
    }

    /** @param remedy what makes the state writable again, as an imperative phrase; null when unknown */
    public StateException(String message, Throwable cause, String remedy) {
        super(message, cause);
        this.remedy = remedy;
    }

    /**
     * What to do so that the next write succeeds ("free space on ..."), or null when the backend cannot tell. Without
     * one given, a file system's refusal in the causes says it (a local state's many write paths need not each).
     */
    public String remedy() {
        if (remedy != null) {
            return remedy;
        }
        for (Throwable t = getCause(); t != null; t = t.getCause()) {
            if (t instanceof java.io.IOException io) {
                return WriteFailure.remedy(io);
            }
            if (t instanceof StateException inner) {
                return inner.remedy();
            }
        }
        return null;
    }
}

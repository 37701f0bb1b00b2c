package io.meshform.state;

/**
 * Stored state that cannot be used as it is: not JSON, truncated, or hand-edited into something meshform did not
 * write. The message names the location, what is wrong, and (once a backend adds it) where to restore from.
 */
public class CorruptStateException extends StateException {

    private final String source;
    private final String problem;

    public CorruptStateException(String source, String problem) {
        this(source, problem, null, null);
    }

    private CorruptStateException(String source, String problem, String recovery, Throwable cause) {
        super(source + " is not a valid meshform state: " + problem
                + (recovery == null ? "" : "\n" + recovery), cause);
        this.source = source;
        this.problem = problem;
    }

    /** Where the bad state was read from, e.g. {@code state file ./meshform.state.json}. */
    public String source() {
        return source;
    }

    /** What is wrong with it, with line and column for JSON syntax errors. */
    public String problem() {
        return problem;
    }

    /** The same error with advice on how to get a good state back, which only the backend can give. */
    public CorruptStateException withRecovery(String recovery) {
        return new CorruptStateException(source, problem, recovery, this);
    }
}

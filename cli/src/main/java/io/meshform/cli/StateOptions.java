package io.meshform.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@link GlobalOptions} and the options that name a state and its lock, for the commands that read a state (plan,
 * apply, destroy, drift, import, force-unlock, state). validate and graph mix in {@link GlobalOptions} alone, so their
 * help offers nothing they would ignore. The options are setters of the fields {@link Workspace} reads, so every command
 * hands one type on.
 */
final class StateOptions extends GlobalOptions {
    /** The names, for the usage error of a command that does not take them ({@link #notTaken}). */
    static final List<String> NAMES = List.of("--state", "--state-secret", "--lock-timeout");

    @Option(names = "--state", paramLabel = "PATH",
            description = "Local state file (default: meshform.state.json beside the stack, meshform.CONTEXT.state.json with --context, unless the stack names a backend).")
    void state(Path path) {
        state = path;
    }

    @Option(names = "--state-secret", paramLabel = "NAMESPACE/NAME",
            description = "Keep the state in the cluster (Secret meshform-state-NAME, Lease meshform-lock-NAME in "
                    + "NAMESPACE), whatever backend the stack names (default: none, the stack's backend).")
    void stateSecret(String namespaceAndName) {
        stateSecret = namespaceAndName;
    }

    @Option(names = "--lock-timeout", paramLabel = "DURATION", defaultValue = "0", converter = Choices.Wait.class,
            description = "How long to wait for the state lock: seconds (30) or a duration as Go writes it (30s, 5m, 1m30s, 0.5s) (default:"
                    + " ${DEFAULT-VALUE}, fail at once); drift, force-unlock and state list, show and pull take no lock, so"
                    + " they never wait.")
    void lockTimeout(java.time.Duration wait) {
        lockTimeout = wait;
    }

    /**
     * The usage error's message when {@code command} (validate, graph) is given one of these options, or null for any
     * other unknown option. An error, not an option accepted and ignored: as {@code terraform validate -state=x} fails
     * ("flag provided but not defined") and kubectl refuses a flag a command does not define, since a user who passes
     * one expects it to count ("validate checks --state-secret"), and a silent success would say it did.
     */
    static String notTaken(String command, String given) {
        String name = given.contains("=") ? given.substring(0, given.indexOf('=')) : given;
        if (!NAMES.contains(name)) {
            return null;
        }
        return command + " reads no state and takes no lock, so it does not take " + name + "; leave it out (plan, apply, "
                + "destroy, drift, import, force-unlock and the state commands take it)";
    }
}

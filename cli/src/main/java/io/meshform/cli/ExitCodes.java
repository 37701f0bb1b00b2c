package io.meshform.cli;

import static java.util.Map.entry;

import java.util.Map;

/** The exit codes pipelines rely on (also listed in --help). */
final class ExitCodes {
    static final int OK = 0;
    static final int ERROR = 1;
    /** plan --detailed-exitcode: changes present; drift: drift found (or, with --fail-on-pending, resources not applied). */
    static final int CHANGES = 2;

    /** The root's help: every command's codes, by command. */
    static final String HELP = """
            Exit codes:
              0  success (plan --detailed-exitcode: no changes; drift: no drift)
              1  error
              2  plan --detailed-exitcode: changes present; drift: drift found (or, with
                 --fail-on-pending, declared resources not applied)
            130  apply or destroy interrupted by Ctrl-C (143: by SIGTERM): steps in flight get 800 ms;
                 those that finish are recorded, the others are not""";

    /** plan's: 2 only with --detailed-exitcode (a fleet run's is the worst of its clusters', as {@link Fleet} says). */
    static final String PLAN_HELP = """
            Exit codes:
              0  success (with --detailed-exitcode: no changes)
              1  error (on a fleet: on any cluster)
              2  with --detailed-exitcode: changes present (on a fleet: on any cluster)""";

    /** drift's: 2 for drift, and with --fail-on-pending for resources not applied. */
    static final String DRIFT_HELP = """
            Exit codes:
              0  no drift
              1  error (on a fleet: on any cluster)
              2  drift found (or, with --fail-on-pending, declared resources not applied)""";

    /**
     * apply's and destroy's: never {@link #CHANGES}. A refusal (no approval, a stale or edited plan), an answer other
     * than yes, a failed run and a lock another run holds are all errors; nothing to do is a success. An interrupted
     * run ends in the JVM's shutdown (InterruptGuard), which exits 128 + the signal's number whatever the command
     * returns: the help said 1, and a pipeline that retried on 1 only never saw a Ctrl-C'd apply as failed.
     */
    static final String APPLY_HELP = """
            Exit codes:
              0  applied, or nothing to apply
              1  error: a step failed, the run was refused or cancelled, or another run holds the
                 state lock
            130  interrupted by Ctrl-C (143: by SIGTERM): the Java runtime's code for the signal;
                 steps in flight got 800 ms: those that finished are recorded, the others are not;
                 the lock is released (left to expire if the cluster does not answer)""";

    /** destroy's: as apply's. */
    static final String DESTROY_HELP = """
            Exit codes:
              0  destroyed, or nothing to destroy
              1  error: a step failed, the run was refused or cancelled, or another run holds the
                 state lock
            130  interrupted by Ctrl-C (143: by SIGTERM): the Java runtime's code for the signal;
                 steps in flight got 800 ms: those that finished are recorded, the others are not;
                 the lock is released (left to expire if the cluster does not answer)""";

    /**
     * The codes of the commands whose annotation names none: 0 and 1 only (never {@link #CHANGES}), each with what 0
     * means there. {@link CommandTree} adds the section to their help; a usage error is 1 everywhere.
     */
    static final Map<String, String> ZERO_MEANS = Map.ofEntries(
            entry("validate", "valid (warnings and notes do not change the code)"),
            entry("show", "the plan was printed"),
            entry("graph", "the graph was printed"),
            entry("import", "imported (the state records the object)"),
            entry("force-unlock", "the lock was released"),
            entry("state list", "listed (a state that does not exist yet is an error)"),
            entry("state show", "the resource was printed"),
            entry("state rm", "the state was written"),
            entry("state mv", "the state was written"),
            entry("state pull", "the state was printed (a state that does not exist yet is an error)"),
            entry("state push", "the state was written"),
            entry("version", "printed, also when istioctl is not found (its line says why)"),
            entry("completion", "the script was printed"),
            entry("help", "the help was printed"));

    /** The "Exit codes:" section of a command in {@link #ZERO_MEANS}, or null. */
    static String help(String command) {
        if (command.equals("state")) {
            return "Exit codes:\n  0  --help\n  1  no subcommand given (each subcommand's help lists its codes)";
        }
        String zero = ZERO_MEANS.get(command);
        return zero == null ? null : "Exit codes:\n  0  " + zero + "\n  1  error, or a usage error (the message says which)";
    }

    private ExitCodes() {
    }
}

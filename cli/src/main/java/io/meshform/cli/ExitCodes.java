package io.meshform.cli;

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
                 --fail-on-pending, declared resources not applied)""";

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
     * than yes, a failed or interrupted run and a lock another run holds are all errors; nothing to do is a success.
     */
    static final String APPLY_HELP = """
            Exit codes:
              0  applied, or nothing to apply
              1  error: a step failed, the run was refused, cancelled or interrupted, or another
                 run holds the state lock""";

    /** destroy's: as apply's. */
    static final String DESTROY_HELP = """
            Exit codes:
              0  destroyed, or nothing to destroy
              1  error: a step failed, the run was refused, cancelled or interrupted, or another
                 run holds the state lock""";

    private ExitCodes() {
    }
}

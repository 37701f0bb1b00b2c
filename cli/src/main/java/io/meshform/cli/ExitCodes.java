package io.meshform.cli;

/** The exit codes pipelines rely on (also listed in --help). */
final class ExitCodes {
    static final int OK = 0;
    static final int ERROR = 1;
    /** plan --detailed-exitcode: changes present; drift: drift found (or, with --fail-on-pending, resources not applied). */
    static final int CHANGES = 2;

    static final String HELP = """
            Exit codes:
              0  success (plan --detailed-exitcode: no changes; drift: no drift)
              1  error
              2  plan --detailed-exitcode: changes present; drift: drift found (or, with
                 --fail-on-pending, declared resources not applied)""";

    private ExitCodes() {
    }
}

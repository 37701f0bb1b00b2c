package io.meshform.cli;

/**
 * Answers {@code meshform --version}, {@code -V} and a bare {@code meshform version} without building picocli's
 * command model: that model is built by reflection over the commands' annotations (each one a dynamic proxy that
 * no class-data archive holds) and was most of the CPU of {@code version}, which scripts and bug reports run often.
 * Anything else, including {@code version --json} or a misspelt option, goes through picocli as before, so help,
 * errors and suggestions stay the same.
 */
final class QuickAnswers {

    private QuickAnswers() {
    }

    /** The exit code when {@code args} is one of the quick answers (printed to {@code terminal}), else null. */
    static Integer answer(Terminal terminal, String[] args) {
        if (args.length != 1) {
            return null;
        }
        int code;
        switch (args[0]) {
            case "--version", "-V" -> {
                // What Main.Version gives picocli, without loading picocli's interface from the library jar.
                terminal.out().println(MeshformVersion.line());
                code = ExitCodes.OK;
            }
            case "version" -> code = new VersionCommand(terminal).call();
            default -> {
                return null;
            }
        }
        terminal.out().flush();
        terminal.err().flush();
        return code;
    }
}

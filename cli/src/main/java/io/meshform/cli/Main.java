package io.meshform.cli;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.render.Style;
import io.meshform.state.StateException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Entry point: builds the command tree and maps failures to one readable paragraph and an exit code. */
@Command(name = "meshform", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Plan and apply Istio on Cortex Kubernetes clusters from a desired-state file.",
        commandListHeading = "%nCommands:%n",
        footerHeading = "%nExamples:%n",
        footer = {
            "  meshform validate -f examples/cortex-production.yaml",
            "  meshform plan -f examples/cortex-production.yaml --out prod.plan",
            "  meshform apply -f examples/cortex-production.yaml prod.plan",
            "  meshform help plan          # every option of a command, with its default",
            "",
            ExitCodes.HELP})
public final class Main implements java.util.concurrent.Callable<Integer> {
    @Spec
    CommandSpec spec;

    private final Terminal terminal;

    Main(Terminal terminal) {
        this.terminal = terminal;
    }

    public static void main(String[] args) {
        int code = run(Terminal.system(), args);
        // Everything is printed and every client closed: without this the JVM's exit waits ~0.3 s on the HTTP
        // client's selector thread (IdleHttpSelectors says why).
        IdleHttpSelectors.stop();
        System.exit(code);
    }

    /** Runs one command line and returns its exit code; tests call this in-process. */
    public static int run(Terminal unfiltered, String... args) {
        // Everything printed passes the redactor: the stack's sensitive values never reach the terminal or CI logs.
        Terminal terminal = unfiltered.redacting();
        Integer quick = QuickAnswers.answer(terminal, args);
        if (quick != null) {
            return quick;
        }
        CommandLine cl = CommandTree.build(terminal, args.length > 0 ? args[0] : null);
        List<String> argList = Arrays.asList(args);
        boolean debug = argList.contains("debug") && argList.contains("--log-level") || argList.contains("--log-level=debug");
        Style style = terminal.style(argList.contains("--no-color"));
        cl.setOut(new PrintWriter(terminal.out(), true));
        cl.setErr(new PrintWriter(terminal.err(), true));
        if (!style.color()) {
            cl.setColorScheme(Help.defaultColorScheme(Help.Ansi.OFF));
        }
        // picocli's default of 2 for bad usage would read as "changes present" to a pipeline.
        cl.setExitCodeExceptionMapper(e -> ExitCodes.ERROR);
        cl.setParameterExceptionHandler((ex, a) -> usageError(ex, style, terminal));
        // An option a command takes from a shared mixin but does nothing with is accepted, and said so (InertOptions).
        cl.setExecutionStrategy(parsed -> {
            InertOptions.notes(parsed).forEach(n -> cl.getErr().println(style.yellow(n)));
            return new CommandLine.RunLast().execute(parsed);
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof CommandLine.ParameterException p) {
                return usageError(p, style, terminal);
            }
            c.getErr().println(describe(ex, style));
            if (debug) {
                StringWriter trace = new StringWriter();
                ex.printStackTrace(new PrintWriter(trace));
                c.getErr().println(trace);
            }
            return ExitCodes.ERROR;
        });
        int code = cl.execute(args);
        terminal.out().flush();
        terminal.err().flush();
        return code;
    }

    static CommandLine commandLine(Terminal terminal) {
        return CommandTree.build(terminal);
    }

    /**
     * picocli's message, two of its words put right: its KEY=VALUE check writes "for option option '--var'", and ends
     * with the value given, which for {@code --var} may be a secret (a value passed without its {@code NAME=}).
     */
    static String usageMessage(String picocli) {
        String m = picocli.replace("option option '", "option '");
        int was = m.indexOf(" format but was ");
        return was < 0 ? m : m.substring(0, was) + " format (the value given is not repeated)";
    }

    /** What was wrong, the closest valid spelling, and the usage of the command that was given, not the root's. */
    private static int usageError(CommandLine.ParameterException given, Style style, Terminal terminal) {
        CommandLine c = given.getCommandLine();
        // picocli checks what is missing before what it did not understand: `show --jsn PLAN` said "Unknown option:
        // '--jsn'", but `show --jsn` (the plan file forgotten too) only "Missing required parameter: 'PLANFILE'", and
        // `force-unlock --froce` "Missing LOCK_ID", so the typo went unsaid. The argument not understood comes first.
        CommandLine.ParameterException ex = given instanceof CommandLine.MissingParameterException
                && !c.getUnmatchedArguments().isEmpty()
                ? new CommandLine.UnmatchedArgumentException(c, c.getUnmatchedArguments()) : given;
        PrintWriter err = c.getErr();
        String message = usageMessage(ex.getMessage());
        if (ex instanceof CommandLine.UnmatchedArgumentException u && !c.getSubcommands().isEmpty()
                && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")
                && c.getCommandSpec().positionalParameters().isEmpty()) {
            message = "unknown command '" + u.getUnmatched().get(0) + "' for '" + CommandTree.qualifiedName(c) + "'";
        }
        // validate and graph take a stack (-f) and not these: say why, where picocli would only say "Unknown option".
        String notTaken = ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()
                && c.getCommandSpec().findOption("--file") != null
                ? StateOptions.notTaken(c.getCommandName(), u.getUnmatched().get(0))
                : null;
        // An option of another command (plan --format): which commands take it, and this one's option for the job.
        String sibling = notTaken == null && ex instanceof CommandLine.UnmatchedArgumentException u
                && !u.getUnmatched().isEmpty()
                ? SiblingOptions.hint(c, u.getUnmatched().get(0), CommandTree.build(terminal, null))
                : null;
        err.println(style.red("Error: " + (notTaken != null ? notTaken : message)));
        if (sibling != null) {
            err.println(sibling);
        } else if (notTaken == null) {
            UsageSuggestion.of(ex).ifPresent(err::println);
        }
        err.println();
        err.print("Usage: " + c.getHelp().synopsis(0));
        if (!c.getSubcommands().isEmpty()) {
            err.print(c.getHelp().commandListHeading(c.getCommandSpec().usageMessage().commandListHeading()));
            err.print(c.getHelp().commandList());
        }
        err.println("Run '" + CommandTree.qualifiedName(c) + " --help' for every option, its default and an example.");
        err.flush();
        return ExitCodes.ERROR;
    }

    /** One paragraph: what failed and what to do. Diagnostics list every problem found. */
    static String describe(Exception ex, Style style) {
        if (ex instanceof DiagnosticsException d) {
            StringBuilder sb = new StringBuilder();
            for (Diagnostic diag : d.diagnostics()) {
                sb.append(diag.isError() ? style.red(diag.format()) : style.yellow(diag.format())).append("\n\n");
            }
            long errors = d.diagnostics().stream().filter(Diagnostic::isError).count();
            return sb.append(errors).append(errors == 1 ? " error." : " errors.").append(" Nothing was changed.").toString();
        }
        // Control characters escaped as in diagnostics: a client's or server's message may carry an ESC sequence.
        if (ex instanceof UserError || ex instanceof StateException) {
            return style.red("Error: " + io.meshform.engine.diag.ControlChars.escape(ex.getMessage()));
        }
        return style.red("Error: " + io.meshform.engine.diag.ControlChars.escape(ErrorText.of(ex)))
                + "\n(run with --log-level debug for the stack trace)";
    }

    /**
     * Plain {@code meshform}: no command was given, a usage error as Terraform's bare {@code terraform} is; the list of
     * commands goes to standard error, as for every usage error ({@code --help} and {@code help} print it to standard
     * output and exit 0).
     */
    @Override
    public Integer call() {
        spec.commandLine().usage(terminal.err(), spec.commandLine().getColorScheme());
        return ExitCodes.ERROR;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {MeshformVersion.line()};
        }
    }
}

package io.meshform.cli;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.render.Style;
import io.meshform.state.StateException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;

/** Entry point: builds the command tree and maps failures to one readable paragraph and an exit code. */
@Command(name = "meshform", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Plan and apply Istio on Cortex Kubernetes clusters from a desired-state file.",
        footer = {"", ExitCodes.HELP})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(run(Terminal.system(), args));
    }

    /** Runs one command line and returns its exit code; tests call this in-process. */
    public static int run(Terminal terminal, String... args) {
        CommandLine cl = commandLine(terminal);
        boolean debug = Arrays.asList(args).contains("debug") && Arrays.asList(args).contains("--log-level")
                || Arrays.asList(args).contains("--log-level=debug");
        Style style = terminal.style(Arrays.asList(args).contains("--no-color"));
        cl.setOut(new PrintWriter(terminal.out(), true));
        cl.setErr(new PrintWriter(terminal.err(), true));
        if (!style.color()) {
            cl.setColorScheme(Help.defaultColorScheme(Help.Ansi.OFF));
        }
        // picocli's default of 2 for bad usage would read as "changes present" to a pipeline.
        cl.setExitCodeExceptionMapper(e -> ExitCodes.ERROR);
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println(style.red("Error: " + ex.getMessage()));
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, c.getErr());
            c.getErr().println("Run 'meshform " + (c.getCommandName().equals("meshform") ? "" : c.getCommandName() + " ")
                    + "--help' for usage.");
            return ExitCodes.ERROR;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            c.getErr().println(describe(ex, style));
            if (debug) {
                StringWriter trace = new StringWriter();
                ex.printStackTrace(new PrintWriter(trace));
                c.getErr().println(trace);
            }
            return ExitCodes.ERROR;
        });
        return cl.execute(args);
    }

    static CommandLine commandLine(Terminal terminal) {
        CommandLine state = new CommandLine(new StateCommand())
                .addSubcommand(new StateCommand.ListCmd(terminal))
                .addSubcommand(new StateCommand.ShowCmd(terminal))
                .addSubcommand(new StateCommand.RmCmd(terminal))
                .addSubcommand(new StateCommand.MvCmd(terminal))
                .addSubcommand(new StateCommand.PullCmd(terminal))
                .addSubcommand(new StateCommand.PushCmd(terminal));
        CommandLine cl = new CommandLine(new Main())
                .addSubcommand(new ValidateCommand(terminal))
                .addSubcommand(new PlanCommand(terminal))
                .addSubcommand(new ApplyCommand(terminal))
                .addSubcommand(new DestroyCommand(terminal))
                .addSubcommand(new DriftCommand(terminal))
                .addSubcommand(new ShowCommand(terminal))
                .addSubcommand(new GraphCommand(terminal))
                .addSubcommand("state", state)
                .addSubcommand(new ImportCommand(terminal))
                .addSubcommand(new ForceUnlockCommand(terminal))
                .addSubcommand(new VersionCommand(terminal))
                .addSubcommand(new AutoComplete.GenerateCompletion());
        cl.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(true);
        return cl;
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
        if (ex instanceof UserError || ex instanceof StateException) {
            return style.red("Error: " + ex.getMessage());
        }
        return style.red("Error: " + ex.getClass().getSimpleName() + ": " + ex.getMessage())
                + "\n(run with --log-level debug for the stack trace)";
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"meshform " + MeshformVersion.get()};
        }
    }
}

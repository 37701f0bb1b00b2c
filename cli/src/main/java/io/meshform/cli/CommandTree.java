package io.meshform.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Builds the command tree and gives every command the same help: {@code -h/--help}, a short synopsis in usage
 * errors, and the list of commands. Cheap on purpose: only annotations are read, nothing is loaded or connected.
 */
final class CommandTree {
    private CommandTree() {
    }

    static CommandLine build(Terminal terminal) {
        CommandLine state = new CommandLine(new StateCommand())
                .addSubcommand(new StateCommand.ListCmd(terminal))
                .addSubcommand(new StateCommand.ShowCmd(terminal))
                .addSubcommand(new StateCommand.RmCmd(terminal))
                .addSubcommand(new StateCommand.MvCmd(terminal))
                .addSubcommand(new StateCommand.PullCmd(terminal))
                .addSubcommand(new StateCommand.PushCmd(terminal));
        CommandLine root = new CommandLine(new Main(terminal))
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
                .addSubcommand(new CompletionCommand(terminal))
                .addSubcommand(new HelpCommand(terminal));
        for (CommandLine c : all(root)) {
            CommandSpec spec = c.getCommandSpec();
            if (spec.findOption("--help") == null) {
                spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
                        .description("Show this help (every option, its default, an example) and exit.").build());
            }
            // The option list follows in the help; a synopsis naming 20 options would hide the command's shape.
            spec.usageMessage().abbreviateSynopsis(true);
        }
        return root;
    }

    /** Every command of the tree, the root first, depth first. */
    static List<CommandLine> all(CommandLine root) {
        List<CommandLine> out = new ArrayList<>();
        out.add(root);
        for (CommandLine sub : root.getSubcommands().values()) {
            // getSubcommands() lists aliases too; each command once.
            if (sub.getCommandName().equals(sub.getCommandSpec().name())) {
                out.addAll(all(sub));
            }
        }
        return out;
    }

    /** The command's full name for messages, e.g. "meshform state list". */
    static String qualifiedName(CommandLine c) {
        return c.getCommandSpec().qualifiedName(" ");
    }
}

package io.meshform.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
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
        return build(terminal, null);
    }

    /**
     * The tree for one command line. When its first word names a command, only that command is built under the
     * root: picocli reads every command's annotations by reflection (and loads each option's type) when it is added,
     * and a run needs one. {@code help} and {@code completion} walk the whole tree, so they get all of it, as does
     * anything else (a root option, a typo: its suggestions need every name).
     */
    static CommandLine build(Terminal terminal, String firstWord) {
        Map<String, Supplier<Object>> commands = new LinkedHashMap<>();
        commands.put("validate", () -> new ValidateCommand(terminal));
        commands.put("plan", () -> new PlanCommand(terminal));
        commands.put("apply", () -> new ApplyCommand(terminal));
        commands.put("destroy", () -> new DestroyCommand(terminal));
        commands.put("drift", () -> new DriftCommand(terminal));
        commands.put("show", () -> new ShowCommand(terminal));
        commands.put("graph", () -> new GraphCommand(terminal));
        commands.put("state", () -> new CommandLine(new StateCommand())
                .addSubcommand(new StateCommand.ListCmd(terminal))
                .addSubcommand(new StateCommand.ShowCmd(terminal))
                .addSubcommand(new StateCommand.RmCmd(terminal))
                .addSubcommand(new StateCommand.MvCmd(terminal))
                .addSubcommand(new StateCommand.PullCmd(terminal))
                .addSubcommand(new StateCommand.PushCmd(terminal)));
        commands.put("import", () -> new ImportCommand(terminal));
        commands.put("force-unlock", () -> new ForceUnlockCommand(terminal));
        commands.put("version", () -> new VersionCommand(terminal));
        commands.put("completion", () -> new CompletionCommand(terminal));
        commands.put("help", () -> new HelpCommand(terminal));
        boolean one = firstWord != null && commands.containsKey(firstWord)
                && !firstWord.equals("help") && !firstWord.equals("completion");
        CommandLine root = new CommandLine(new Main(terminal));
        for (Map.Entry<String, Supplier<Object>> c : commands.entrySet()) {
            if (!one || c.getKey().equals(firstWord)) {
                root.addSubcommand(c.getKey(), c.getValue().get());
            }
        }
        // After the subcommands are added: picocli registers a converter with the commands the tree has now.
        root.registerConverter(Path.class, new Choices.NonEmptyPath());
        for (CommandLine c : all(root)) {
            CommandSpec spec = c.getCommandSpec();
            if (spec.findOption("--help") == null) {
                spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
                        .description("Show this help (every option, its default, an example) and exit.").build());
            }
            if (spec.userObject() instanceof DestroyCommand) {
                // destroy inherits apply's PLANFILE only to refuse it with a useful message: not in its help.
                for (CommandLine.Model.PositionalParamSpec p : List.copyOf(spec.positionalParameters())) {
                    spec.remove(p);
                    spec.addPositional(CommandLine.Model.PositionalParamSpec.builder(p).hidden(true).build());
                }
            }
            InertOptions.apply(c);
            // The option list follows in the help; a synopsis naming 20 options would hide the command's shape.
            spec.usageMessage().abbreviateSynopsis(true);
            // Examples are laid out by hand to be copied: picocli would wrap one longer than 80 columns, and its line
            // breaking splits after a '.' inside a resource address ("istio.\npeerAuthentication.mongodb"), which
            // then fails when pasted. A long example runs past the edge instead.
            c.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER, CommandTree::footer);
        }
        return root;
    }

    /** The footer's lines as written (after picocli's format specifiers such as %n), none wrapped. */
    private static String footer(CommandLine.Help help) {
        StringBuilder out = new StringBuilder();
        for (String line : help.commandSpec().usageMessage().footer()) {
            out.append(String.format(line)).append(System.lineSeparator());
        }
        // Every command's help says its exit codes; the ones whose annotation does not get them from ExitCodes.
        String q = qualifiedName(help.commandSpec().commandLine());
        String codes = q.contains(" ") && !out.toString().contains("Exit codes:") ? ExitCodes.help(q.substring(q.indexOf(' ') + 1)) : null;
        if (codes != null) {
            out.append(System.lineSeparator()).append(codes.replace("\n", System.lineSeparator())).append(System.lineSeparator());
        }
        return out.toString();
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

package io.meshform.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code meshform help [COMMAND...]}: the help of any command, nested ones too ({@code help state list}).
 * picocli's own help command reaches one level only.
 */
@Command(name = "help", description = "Show the help of a command (e.g. `meshform help state list`).",
        footerHeading = "%nExamples:%n", footer = {"  meshform help plan", "  meshform help state list"})
final class HelpCommand implements Callable<Integer> {
    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command, and its subcommand if it has one "
            + "(default: none, the list of every command).")
    List<String> names = List.of();

    @Spec
    CommandSpec spec;

    private final Terminal terminal;

    HelpCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        CommandLine target = spec.commandLine().getParent();
        for (String name : names) {
            CommandLine next = target.getSubcommands().get(name);
            if (next == null) {
                String known = io.meshform.engine.diag.Suggestions.closest(name, visible(target))
                        .map(s -> " (did you mean '" + s + "'?)").orElse("");
                throw new CommandLine.ParameterException(spec.commandLine(), "unknown command '" + name + "'" + known
                        + (target.getSubcommands().isEmpty() ? ": '" + CommandTree.qualifiedName(target) + "' has no subcommands"
                        : "; '" + CommandTree.qualifiedName(target) + "' has: " + String.join(", ", visible(target))));
            }
            target = next;
        }
        target.usage(terminal.out(), target.getColorScheme());
        return ExitCodes.OK;
    }

    private static List<String> visible(CommandLine c) {
        return c.getSubcommands().entrySet().stream()
                .filter(e -> !e.getValue().getCommandSpec().usageMessage().hidden())
                .map(java.util.Map.Entry::getKey).toList();
    }
}

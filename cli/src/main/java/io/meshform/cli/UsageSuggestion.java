package io.meshform.cli;

import io.meshform.engine.diag.Suggestions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The "did you mean" line of a usage error: the one closest command or option name, by the edit-distance bound every
 * other hint uses ({@link Suggestions#closest}), or none. picocli's own list ranks every name by letter-pair similarity
 * with no bound, so `meshform plna` was offered "meshform plan or meshform apply or meshform completion".
 */
final class UsageSuggestion {
    private UsageSuggestion() {
    }

    static Optional<String> of(CommandLine.ParameterException ex) {
        if (!(ex instanceof CommandLine.UnmatchedArgumentException u) || u.getUnmatched().isEmpty()) {
            return Optional.empty();
        }
        CommandLine c = ex.getCommandLine();
        String given = u.getUnmatched().get(0);
        if (given.startsWith("-")) {
            String name = given.contains("=") ? given.substring(0, given.indexOf('=')) : given;
            if (name.length() == 2) {
                // Every one-letter option is one edit from every other: `show -f` was asked "Did you mean '-h'?".
                // Only another case of the same letter is a likely slip.
                return optionNames(c.getCommandSpec()).stream().filter(o -> o.length() == 2 && o.equalsIgnoreCase(name))
                        .findFirst().map(s -> "Did you mean '" + s + "'?");
            }
            return Suggestions.closest(name, optionNames(c.getCommandSpec())).map(s -> "Did you mean '" + s + "'?");
        }
        List<String> commands = c.getSubcommands().values().stream()
                .filter(sub -> !sub.getCommandSpec().usageMessage().hidden())
                .map(CommandLine::getCommandName).distinct().toList();
        if (commands.isEmpty()) {
            return Optional.empty();
        }
        return Suggestions.closest(given, commands).map(s -> "Did you mean '" + CommandTree.qualifiedName(c) + " " + s + "'?");
    }

    private static List<String> optionNames(CommandSpec spec) {
        List<String> names = new ArrayList<>();
        for (OptionSpec o : spec.options()) {
            if (!o.hidden()) {
                names.addAll(List.of(o.names()));
            }
        }
        return names;
    }
}

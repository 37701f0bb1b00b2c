package io.meshform.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The hint of a usage error for an option that another command takes: picocli says only "Unknown options: '--format',
 * 'json'" to {@code plan --format json}, and the user who took it from drift's help is left to guess. The owners come
 * from the whole command tree (every command's options, so a new option needs no entry here); {@link #SAME_JOB} names
 * the options that do the same job under another name, offered when the command has them.
 */
final class SiblingOptions {
    /** Options that do one job under different names on different commands. */
    static final Map<String, List<String>> SAME_JOB = Map.of(
            "--format", List.of("--json", "--markdown", "--format"),
            "--json", List.of("--format"),
            "--markdown", List.of("--format"),
            "--out", List.of("--output"),
            "--output", List.of("--out"));

    private SiblingOptions() {
    }

    /**
     * "plan does not take --format (drift and graph do); plan takes --json or --markdown for that", or null when
     * {@code given} is an option of {@code command} or of no other command.
     */
    static String hint(CommandLine command, String given, CommandLine tree) {
        String option = given.contains("=") ? given.substring(0, given.indexOf('=')) : given;
        if (!option.startsWith("-") || option.equals("-") || visible(command, option)) {
            return null;
        }
        String self = name(command);
        List<String> owners = new ArrayList<>();
        for (CommandLine c : CommandTree.all(tree)) {
            String n = name(c);
            if (!n.isEmpty() && !n.equals(self) && c.getSubcommands().isEmpty() && visible(c, option) && !owners.contains(n)) {
                owners.add(n);
            }
        }
        if (owners.isEmpty()) {
            return null;
        }
        List<String> instead = SAME_JOB.getOrDefault(option, List.of()).stream().filter(o -> visible(command, o)).toList();
        return self + " does not take " + option + " (" + words(owners) + (owners.size() == 1 ? " does" : " do") + ")"
                + (instead.isEmpty() ? "" : "; " + self + " takes " + String.join(" or ", instead) + " for that");
    }

    private static boolean visible(CommandLine c, String option) {
        OptionSpec o = c.getCommandSpec().findOption(option);
        return o != null && !o.hidden();
    }

    private static String words(List<String> names) {
        if (names.size() == 1) {
            return names.get(0);
        }
        if (names.size() > 4) {
            // -f is on every command that reads a stack: the first few say what kind of option it is.
            return String.join(", ", names.subList(0, 3)) + " and " + (names.size() - 3) + " other commands";
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
    }

    private static String name(CommandLine c) {
        String q = CommandTree.qualifiedName(c);
        int space = q.indexOf(' ');
        return space < 0 ? "" : q.substring(space + 1);
    }
}

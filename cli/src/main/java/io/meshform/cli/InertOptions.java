package io.meshform.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Options a command gets from a shared mixin ({@link GlobalOptions}, {@link StateOptions}) but does nothing with: drift,
 * force-unlock and state list, show and pull take no lock, so {@code --lock-timeout} never waits there; the state
 * commands and force-unlock run no istioctl; state list, show and pull and force-unlock read only the stack's backend, which
 * takes no variables ({@code --var}, {@code --var-file}); graph reads no cluster, so {@code --kubeconfig} is idle there. They are hidden from those commands' help and completion, and still
 * accepted with a one-line note on standard error, as kubectl treats a flag it deprecates (hidden, accepted, "Flag
 * --x has been deprecated"): they were in the help, so a script that passes one set of options to every command
 * (a nightly {@code drift --lock-timeout 60} beside its {@code plan}) keeps working and is told the option is idle.
 * An option no release ever made work (destroy's {@code --replace}, always refused) is removed instead, as terraform
 * removes a flag ("flag provided but not defined"): no working script passes it.
 */
final class InertOptions {
    /** One option that does nothing on one command, and why, in words that finish "so OPTION does nothing". */
    record Inert(String command, String option, String why) {
    }

    static final List<Inert> TABLE = List.of(
            new Inert("drift", "--lock-timeout", "drift takes no lock (it only reads)"),
            new Inert("force-unlock", "--lock-timeout", "force-unlock takes no lock, it releases one"),
            new Inert("state list", "--lock-timeout", "state list takes no lock"),
            new Inert("state show", "--lock-timeout", "state show takes no lock"),
            new Inert("state pull", "--lock-timeout", "state pull takes no lock"),
            new Inert("graph", "--kubeconfig", "graph reads no cluster"),
            new Inert("force-unlock", "--istioctl", "force-unlock runs no istioctl"),
            new Inert("force-unlock", "--allow-stack-istioctl", "force-unlock runs no istioctl"),
            stateNoIstioctl("list", "--istioctl"), stateNoIstioctl("list", "--allow-stack-istioctl"),
            stateNoIstioctl("show", "--istioctl"), stateNoIstioctl("show", "--allow-stack-istioctl"),
            stateNoIstioctl("rm", "--istioctl"), stateNoIstioctl("rm", "--allow-stack-istioctl"),
            stateNoIstioctl("mv", "--istioctl"), stateNoIstioctl("mv", "--allow-stack-istioctl"),
            stateNoIstioctl("pull", "--istioctl"), stateNoIstioctl("pull", "--allow-stack-istioctl"),
            stateNoIstioctl("push", "--istioctl"), stateNoIstioctl("push", "--allow-stack-istioctl"),
            // They read only the stack's backend, which takes no variables (StackLoader.backend): a --var-file that
            // does not exist, or a --var the stack does not declare, was accepted without a word.
            backendOnly("state list", "--var"), backendOnly("state list", "--var-file"),
            backendOnly("state show", "--var"), backendOnly("state show", "--var-file"),
            backendOnly("state pull", "--var"), backendOnly("state pull", "--var-file"),
            backendOnly("force-unlock", "--var"), backendOnly("force-unlock", "--var-file"));

    /**
     * Options a command refuses when given, with the reason ({@link GlobalOptions#refuseContext}): out of its help,
     * which offered graph's {@code --context} ("Kubeconfig context") that graph then refused.
     */
    static final List<Inert> REFUSED = List.of(
            new Inert("graph", "--context", "graph reads no state and no cluster"));

    /** Options removed outright from a command: never working there, so no script passes them. */
    static final List<Inert> REMOVED = List.of(
            new Inert("destroy", "--replace", "a destroy re-creates nothing"));

    private InertOptions() {
    }

    private static Inert backendOnly(String command, String option) {
        return new Inert(command, option, command + " reads only the stack's backend, which takes no variables");
    }

    private static Inert stateNoIstioctl(String sub, String option) {
        return new Inert("state " + sub, option, "state " + sub + " runs no istioctl");
    }

    /**
     * Hides the table's options and the refused ones on their commands and removes the removed ones; the options stay
     * bound to their fields.
     */
    static void apply(CommandLine c) {
        CommandSpec spec = c.getCommandSpec();
        String name = name(c);
        for (Inert i : java.util.stream.Stream.concat(TABLE.stream(), REFUSED.stream()).toList()) {
            OptionSpec o = spec.findOption(i.option());
            if (i.command().equals(name) && o != null && !o.hidden()) {
                spec.remove(o);
                spec.addOption(OptionSpec.builder(o).hidden(true).build());
            }
        }
        for (Inert i : REMOVED) {
            OptionSpec o = spec.findOption(i.option());
            if (i.command().equals(name) && o != null) {
                spec.remove(o);
            }
        }
    }

    /** One line per inert option the command line gave to the command that runs. */
    static List<String> notes(CommandLine.ParseResult parsed) {
        CommandLine.ParseResult last = parsed;
        while (last.hasSubcommand()) {
            last = last.subcommand();
        }
        String name = name(last.commandSpec().commandLine());
        List<String> out = new ArrayList<>();
        for (Inert i : TABLE) {
            if (i.command().equals(name) && last.hasMatchedOption(i.option())) {
                out.add("Note: " + i.why() + ", so " + i.option() + " does nothing here; it is accepted for scripts that"
                        + " pass it to every command, and can be left out.");
            }
        }
        return out;
    }

    /** The command's name below the root, e.g. "state list". */
    private static String name(CommandLine c) {
        String q = CommandTree.qualifiedName(c);
        int space = q.indexOf(' ');
        return space < 0 ? "" : q.substring(space + 1);
    }
}

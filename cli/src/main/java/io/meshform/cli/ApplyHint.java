package io.meshform.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The command that applies a plan saved with {@code plan --out}. {@code apply PLANFILE} reads the stack, its variables
 * and the state again (a saved plan holds digests, not values), so it needs the options that named them: printed as
 * "meshform apply prod.plan" after {@code plan -f examples/cortex-production.yaml}, the command failed with
 * "meshform.yaml: stack file not found", and after {@code plan --state X} it would have read another state. {@code --var}
 * values are not repeated: a variable may hold a secret, and this line goes to CI logs.
 */
final class ApplyHint {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=@%+,-]+");
    private static final Path DEFAULT_FILE = Path.of("meshform.yaml");

    private ApplyHint() {
    }

    static String of(GlobalOptions g, Path planFile) {
        return command(g, "apply", List.of(planFile.toString())) + varsNote(g);
    }

    /**
     * The {@code plan} that makes (again) the plan file {@code planFile} for this stack, state and cluster: with
     * {@code -f} and the other options this run was given, so the suggestion works where it is printed.
     */
    static String plan(GlobalOptions g, Path planFile, boolean destroy) {
        List<String> tail = new ArrayList<>(destroy ? List.of("--destroy") : List.of());
        tail.addAll(List.of("--out", planFile.toString()));
        return command(g, "plan", tail);
    }

    /**
     * {@link #plan} in backquotes, for a sentence, with what it leaves out said after the closing quote: said inside, the
     * quoted command ran across a line break into words that are not part of it.
     */
    static String quotedPlan(GlobalOptions g, Path planFile, boolean destroy) {
        return "`" + plan(g, planFile, destroy) + "`" + (g.vars.isEmpty() ? ""
                : " (with the same --var values as this plan, not repeated here: a value may be a secret)");
    }

    /** "meshform VERB [the options that name the stack, its files, state and cluster] TAIL...", quoted for a shell. */
    static String command(GlobalOptions g, String verb, List<String> tail) {
        List<String> args = new ArrayList<>(List.of("meshform", verb));
        if (!DEFAULT_FILE.equals(g.file)) {
            args.addAll(List.of("-f", g.file.toString()));
        }
        if (g.root != null) {
            args.addAll(List.of("--root", g.root.toString()));
        }
        if (g.allowOutsideRoot) {
            args.add("--allow-outside-root");
        }
        g.varFiles.forEach(f -> args.addAll(List.of("--var-file", f.toString())));
        if (g.state != null) {
            args.addAll(List.of("--state", g.state.toString()));
        }
        if (g.stateSecret != null) {
            args.addAll(List.of("--state-secret", g.stateSecret));
        }
        if (g.kubeconfig != null) {
            args.addAll(List.of("--kubeconfig", g.kubeconfig.toString()));
        }
        g.contexts.forEach(c -> args.addAll(List.of("--context", c)));
        if (g.istioctl != null) {
            args.addAll(List.of("--istioctl", g.istioctl.toString()));
        }
        if (g.allowStackIstioctl) {
            args.add("--allow-stack-istioctl");
        }
        args.addAll(tail);
        return String.join(" ", args.stream().map(ApplyHint::quoted).toList());
    }

    /** What a command built here leaves out: --var values, which may be secrets. */
    static String varsNote(GlobalOptions g) {
        return g.vars.isEmpty() ? "" : "\n  and the same --var values as this plan (not repeated here: a value may be a secret)";
    }

    /** As a POSIX shell reads it back. */
    static String quoted(String arg) {
        return PLAIN.matcher(arg).matches() ? arg : "'" + arg.replace("'", "'\\''") + "'";
    }
}

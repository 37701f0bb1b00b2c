package io.meshform.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Options every command that reads a stack takes; mixed in, so they go after the command. The ones that name a state
 * or its lock are {@link StateOptions}', offered only by the commands that read a state.
 */
public class GlobalOptions {
    @Option(names = {"-f", "--file"}, paramLabel = "STACK", description = "Desired-state file (default: ${DEFAULT-VALUE}).",
            defaultValue = "meshform.yaml")
    Path file;

    @Option(names = "--var", paramLabel = "NAME=VALUE", description = "Set a variable (repeatable; default: none, the stack's defaults apply). "
            + "plan, apply, destroy, drift, import and validate need a value for each variable without a default (validate "
            + "reports every other problem too before it fails); graph and state rm, mv and push need none (one without a "
            + "value is unknown there). "
            + "MESHFORM_VAR_NAME=VALUE in the environment sets one too (below --var-file and --var), and is treated as "
            + "sensitive (masked in plans, digested in state) whatever the stack declares, unless listed in "
            + "MESHFORM_NONSENSITIVE_VARS=NAME,NAME; --var and --var-file values are as sensitive as the stack declares.")
    Map<String, String> vars = new LinkedHashMap<>();

    @Option(names = "--var-file", paramLabel = "FILE", description = "Read variables from a YAML file (repeatable; default: none).")
    List<Path> varFiles = new ArrayList<>();

    @Option(names = "--root", paramLabel = "DIR", converter = Choices.RootDirectory.class,
            description = "The directory the stack may read from, holding the stack file: imports, manifest files, "
                    + "addon directories and variables files (--var-file) must lie inside it (default: the directory of"
                    + " the stack file).")
    Path root;

    @Option(names = "--allow-outside-root",
            description = "Let the stack read files outside its root directory, for stacks whose every author you trust "
                    + "(default: off, such files are refused).")
    boolean allowOutsideRoot;

    @Option(names = "--allow-stack-istioctl",
            description = "Let an istio.install run the istioctl its stack names (`istioctl:`); without it, only the "
                    + "istioctl given with --istioctl, MESHFORM_ISTIOCTL or PATH runs (default: off).")
    boolean allowStackIstioctl;

    /** The state options: set by {@link StateOptions}, for the commands that read a state; validate and graph do not. */
    Path state;
    String stateSecret;
    java.time.Duration lockTimeout = java.time.Duration.ZERO;

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "Kubeconfig file (default: $KUBECONFIG, a list of files "
            + "separated by ':' merged as kubectl merges them: the first file to name a context, cluster or user wins, "
            + "and the first current-context set; missing files are skipped. Then ~/.kube/config).")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME",
            description = "Kubeconfig context (default: the current context). plan and drift take it several times "
                    + "to run on a fleet of clusters at once. With a local state, each context keeps its own file "
                    + "(meshform.CONTEXT.state.json beside the stack), whichever command runs.")
    List<String> contexts = new ArrayList<>();

    /** --all-contexts, which only plan and drift take ({@link #ALL_CONTEXTS}): apply and the rest run on one cluster. */
    boolean allContexts;
    static final String ALL_CONTEXTS = "Run on every context of the kubeconfig (--kubeconfig, else $KUBECONFIG, else $HOME/.kube/config) at once (default: off).";

    /** Set on each member of a fleet run (never from the command line). */
    boolean fleetMember;

    @Option(names = "--istioctl", paramLabel = "PATH", description = "istioctl binary (default: $MESHFORM_ISTIOCTL, then PATH; relative and empty PATH entries are skipped).")
    Path istioctl;

    @Option(names = "--no-color", description = "No colour in output (default: colour on a terminal, none when NO_COLOR is set or output is not a terminal).")
    boolean noColor;

    @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "info", converter = Choices.LogLevel.class,
            completionCandidates = Choices.LogLevel.class,
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}); debug prints each API request (its time after the first), their count, the time to the first one, and stack traces.")
    String logLevel;

    /** The directory the stack may read from: --root, else the stack file's directory. */
    io.meshform.engine.load.StackRoot stackRoot() {
        Path dir = root != null ? root : file.toAbsolutePath().getParent();
        io.meshform.engine.load.StackRoot stackRoot = new io.meshform.engine.load.StackRoot(dir, allowOutsideRoot);
        // A --root that does not hold the stack file is a mistake in the command line (a subdirectory, a sibling): said
        // as such, where it was taken for the stack's own fault ("import ... is outside the stack's root", "the state
        // path leads outside the stack's root") or, for a stack naming no other file, passed without a word.
        if (root != null && !allowOutsideRoot && java.nio.file.Files.isRegularFile(file) && !stackRoot.inside(realPath(file))) {
            throw new UserError("--root " + root + " does not hold the stack file " + file + ": the root is the directory"
                    + " the stack and every file it names lie in; give a directory that holds " + file + " (or leave"
                    + " --root out: the stack file's directory)");
        }
        return stackRoot;
    }

    private static Path realPath(Path file) {
        try {
            return file.toRealPath();
        } catch (java.io.IOException e) {
            return file.toAbsolutePath().normalize();
        }
    }

    /**
     * The options of one fleet member: these, for {@code context} alone, without colour (outputs are collected and
     * printed together) and with a state file per context.
     */
    GlobalOptions forMember(String context) {
        GlobalOptions m = new GlobalOptions();
        m.file = file;
        m.vars = new LinkedHashMap<>(vars);
        m.varFiles = new ArrayList<>(varFiles);
        m.root = root;
        m.allowOutsideRoot = allowOutsideRoot;
        m.allowStackIstioctl = allowStackIstioctl;
        m.state = state;
        m.stateSecret = stateSecret;
        m.kubeconfig = kubeconfig;
        m.contexts = new ArrayList<>(List.of(context));
        m.allContexts = false;
        m.fleetMember = true;
        m.istioctl = istioctl;
        m.lockTimeout = lockTimeout;
        m.noColor = true;
        m.logLevel = logLevel;
        return m;
    }

    /**
     * For graph, which reads no cluster: {@code --context} (which it takes for the kubeconfig it shares with validate)
     * is refused rather than accepted and ignored, so a wrong expectation ("graph shows what that cluster has") is not
     * a silent success.
     */
    void refuseContext(String command) {
        if (!contexts.isEmpty()) {
            throw new UserError(command + " reads no state and no cluster, so it does not take --context (it would ignore "
                    + "it); leave it out, or run `meshform plan`, which uses it");
        }
    }

    /** The one context of a single-cluster run, or null for the kubeconfig's current context. */
    String context() {
        return contexts.isEmpty() ? null : contexts.get(0);
    }

    boolean fleet() {
        return allContexts || contexts.size() > 1;
    }

    boolean debug() {
        return "debug".equalsIgnoreCase(logLevel);
    }
}

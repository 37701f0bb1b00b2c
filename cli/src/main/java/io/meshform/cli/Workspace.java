package io.meshform.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.load.InputFiles;
import io.meshform.engine.load.StackLoader;
import io.meshform.engine.load.VariableInputs;
import io.meshform.engine.model.Stack;
import io.meshform.engine.render.Style;
import io.meshform.engine.spi.Provider;
import io.meshform.engine.spi.ProviderFactory;
import io.meshform.engine.spi.ProviderSettings;
import io.meshform.engine.spi.TypeRegistry;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.state.LockHandle;
import io.meshform.state.LockInfo;
import io.meshform.state.StateBackend;
import io.meshform.state.StateSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Everything one command invocation needs, built from its options: the stack, the providers, the state
 * backend. The only place where engine, state and providers meet. Closing it closes the providers.
 */
final class Workspace implements AutoCloseable {
    private final GlobalOptions options;
    private final Terminal terminal;
    private final List<Provider> providers = new ArrayList<>();
    private final InterruptGuard guard;
    private TypeRegistry registry;
    /** Set once a command connects; the warning below waits for the connection to find the context in the kubeconfig. */
    private boolean connectAttempted;
    /** The state a command works on; its per-context warning is printed once the connection shows the context exists. */
    private final StateChoice stateChoice;
    private java.util.Set<String> skippedChecks = java.util.Set.of();

    Workspace(GlobalOptions options, Terminal terminal) {
        this.options = options;
        this.terminal = terminal;
        this.guard = new InterruptGuard(terminal);
        this.stateChoice = new StateChoice(options, terminal.style(options.noColor), this::connection);
    }

    /** Set once Ctrl-C or SIGTERM arrived: start nothing new. */
    java.util.concurrent.atomic.AtomicBoolean stopRequested() {
        return guard.stopRequested();
    }

    Style style() {
        return terminal.style(options.noColor);
    }

    Terminal terminal() {
        return terminal;
    }

    GlobalOptions options() {
        return options;
    }

    String version() {
        return MeshformVersion.get();
    }

    /**
     * Which kubeconfig to read, as kubectl chooses it: {@code --kubeconfig}, else $KUBECONFIG (a list of files), else
     * $HOME/.kube/config. One rule for a single cluster and for a fleet's list of contexts.
     */
    static Map<String, String> kubeconfigSettings(Terminal terminal, java.nio.file.Path kubeconfig) {
        Map<String, String> s = new LinkedHashMap<>();
        String fromEnvironment = terminal.env().get("KUBECONFIG");
        if (kubeconfig != null) {
            s.put("kubeconfig", kubeconfig.toString());
        } else if (fromEnvironment != null && !fromEnvironment.isEmpty()) {
            // kubectl's list of files, merged as kubectl merges them; errors say it came from $KUBECONFIG.
            s.put("kubeconfig", fromEnvironment);
            s.put(KubeConnection.KUBECONFIG_FROM_ENVIRONMENT, "true");
        }
        // The default kubeconfig is $HOME/.kube/config, as kubectl's; the JVM's user.home ignores $HOME.
        String home = terminal.env().get("HOME");
        s.put(KubeConnection.HOME_SETTING, home == null || home.isEmpty() ? System.getProperty("user.home") : home);
        // HTTPS_PROXY, NO_PROXY...: kubectl takes them whichever kubeconfig it reads, and so does meshform.
        for (String name : KubeConnection.PROXY_VARIABLES) {
            String value = terminal.env().get(name);
            if (value != null) {
                s.put(KubeConnection.PROXY_SETTING_PREFIX + name, value);
            }
        }
        return s;
    }

    ProviderSettings providerSettings() {
        Map<String, String> s = kubeconfigSettings(terminal, options.kubeconfig);
        if (options.fleet()) {
            throw new UserError("this command runs on one cluster; give --context once (several contexts and "
                    + "--all-contexts work with plan and drift)");
        }
        if (options.context() != null) {
            s.put("context", options.context());
        }
        if (options.istioctl != null) {
            s.put("istioctl", options.istioctl.toString());
            s.put(io.meshform.providers.istio.core.Istioctl.ORIGIN_SETTING, "--istioctl");
        } else if (terminal.env().get("MESHFORM_ISTIOCTL") != null) {
            s.put("istioctl", terminal.env().get("MESHFORM_ISTIOCTL"));
            s.put(io.meshform.providers.istio.core.Istioctl.ORIGIN_SETTING, "MESHFORM_ISTIOCTL");
        }
        // What the stack may read and run: the providers read `file:` manifests and addon directories themselves.
        io.meshform.engine.load.StackRoot root = options.stackRoot();
        s.put(io.meshform.engine.load.StackRoot.ROOT_SETTING, root.directory().toString());
        s.put(io.meshform.engine.load.StackRoot.ALLOW_OUTSIDE_SETTING, String.valueOf(root.allowOutside()));
        s.put(io.meshform.engine.load.StackRoot.BASE_SETTING, options.file.toAbsolutePath().normalize().getParent().toString());
        s.put("allowStackIstioctl", String.valueOf(options.allowStackIstioctl));
        s.put("fieldManager", "meshform");
        s.put("logLevel", options.logLevel);
        return new ProviderSettings(s);
    }

    /** Leaves the named checks out of this run (before the first {@link #registry()}), e.g. {@code --no-analyze}. */
    void skipChecks(java.util.Set<String> names) {
        if (registry != null) {
            throw new IllegalStateException("checks are chosen before the providers are made");
        }
        skippedChecks = java.util.Set.copyOf(names);
    }

    TypeRegistry registry() {
        if (registry == null) {
            for (ProviderFactory f : ServiceLoader.load(ProviderFactory.class)) {
                providers.addAll(f.create(providerSettings()));
            }
            registry = new TypeRegistry(providers, skippedChecks);
        }
        return registry;
    }

    List<Provider> providers() {
        registry();
        return providers;
    }

    /** With --log-level debug, one line on standard error: what was done and how long it took since {@code start}. */
    void debug(String what, long start) {
        if (options.debug()) {
            terminal.err().printf("[debug] %s in %d ms%n", what, (System.nanoTime() - start) / 1_000_000);
        }
    }

    StackLoader.Loaded loadStack() {
        return loadStack(true);
    }

    /** Loads the stack named by --file; {@code printWarnings}: print its warnings on standard error. */
    StackLoader.Loaded loadStack(boolean printWarnings) {
        return loadStack(printWarnings, false);
    }

    /**
     * Loads the stack named by --file for a command that needs no variable value (graph, state rm|mv|push), or for
     * validate to find every other problem before it fails on the missing values: a variable without one is unknown,
     * not an error ({@link StackLoader#loadWithoutValues}). Never for plan or apply.
     */
    StackLoader.Loaded loadStackWithoutValues(boolean printWarnings) {
        return loadStack(printWarnings, true);
    }

    private StackLoader.Loaded loadStack(boolean printWarnings, boolean unknownAllowed) {
        Map<String, String> env = new LinkedHashMap<>();
        terminal.env().forEach((k, v) -> {
            if (k.startsWith(VariableInputs.ENV_PREFIX)) {
                env.put(k, v);
            }
        });
        VariableInputs inputs = new VariableInputs(env, options.varFiles, options.vars,
                VariableInputs.namesIn(terminal.env().get(VariableInputs.NONSENSITIVE_ENV)));
        StackLoader loader = new StackLoader(registry());
        StackLoader.Loaded loaded = unknownAllowed ? loader.loadWithoutValues(options.file, inputs, options.stackRoot())
                : loader.load(options.file, inputs, options.stackRoot());
        if (terminal.redactor() != null) {
            for (io.meshform.engine.model.ResourceDecl d : loaded.stack().resources()) {
                var type = registry().get(d.type());
                terminal.redactor().add(io.meshform.engine.plan.Sensitive.secrets(d.spec(),
                        io.meshform.engine.plan.SensitivePaths.of(type, d)));
            }
            terminal.redactor().add(loaded.secrets());
        }
        if (printWarnings) {
            for (Diagnostic w : loaded.warnings()) {
                terminal.err().println(style().yellow(w.format()));
            }
        }
        return loaded;
    }

    /**
     * The backend of the stack named by --file, for commands that find the state and need nothing else of the stack:
     * read without the variables' values ({@link StackLoader#backend}).
     */
    private StateBackend backendOfStackFile() {
        return stateChoice.open(new StackLoader(registry()).backend(options.file, options.stackRoot()));
    }

    /**
     * For a command that only reads the state ({@code state list|show|pull}): the state named by --state or
     * --state-secret needs no stack, so none is read; else the stack's, which needs the stack file.
     */
    StateBackend readOnlyBackend(String command) {
        return namedOrStackBackend(command + " reads the state the stack names");
    }

    /**
     * For {@code force-unlock}: releasing a lock neither reads nor writes the state, so a state named by --state or
     * --state-secret needs no stack, as for {@link #readOnlyBackend}; else the stack's, which needs the stack file.
     */
    StateBackend lockOnlyBackend(String command) {
        return namedOrStackBackend(command + " releases the lock of the state the stack names");
    }

    private StateBackend namedOrStackBackend(String whyStack) {
        return stateChoice.named().orElseGet(() -> {
            requireStackFile(whyStack + ", so it needs the stack file",
                    "or name the state itself with --state FILE or --state-secret NAMESPACE/NAME");
            return backendOfStackFile();
        });
    }

    /**
     * The stack for a command that changes the state ({@code state rm|mv|push}): it is needed even with --state, since
     * the state records the stack that writes it and meshform changes no other stack's state ({@link #stateOf}). Read
     * without variable values, as Terraform's {@code state rm} needs none: the stack's name, backend and declarations
     * do not depend on them (a backend and a name take no variables), and a stack in error is still refused.
     */
    StackLoader.Loaded stackForWrite(String command) {
        requireStackFile(command + " changes the state, so it needs the stack the state belongs to: meshform checks that "
                + "the state is that stack's before changing it", "`meshform state list|show|pull --state FILE` read a "
                + "state without a stack");
        return loadStackWithoutValues(true);
    }

    private void requireStackFile(String why, String otherwise) {
        if (!Files.exists(options.file)) {
            throw new UserError(why + ", and " + options.file + " is not there (looked for " + options.file.toAbsolutePath()
                    + "). Give the stack with -f STACK; " + otherwise + ".");
        }
    }

    /**
     * The backend the stack names, or the local file beside it (overridden by --state); --state-secret names a
     * Kubernetes backend instead ({@link StateChoice}).
     */
    StateBackend backend(Stack stack) {
        return stateChoice.named().orElseGet(() -> stateChoice.open(stack.backend()));
    }

    /** The clients a backend may ask for; the Kubernetes one uses the providers' kubeconfig and context. */
    private Object connection(Class<?> type) {
        if (type == KubernetesClient.class) {
            // The connection lives as long as the process: the lock's renewer uses it until the command ends.
            return new KubeConnection(providerSettings()).client();
        }
        throw new IllegalStateException("no client of type " + type.getName() + " for a state backend");
    }

    /**
     * Starts, beside the stack's load, what a command that plans will need and the stack does not decide: the
     * providers' connections ({@link Provider#prepare}). Call before {@link #loadStack}.
     */
    void startAhead() {
        providers().forEach(Provider::prepare);
    }

    /** Takes the state lock; an interrupt from here on releases it within 2 s even if the command is stuck. */
    LockHandle lock(StateBackend backend, String operation) {
        LockHandle handle = backend.lock(LockInfo.forOperation(operation), options.lockTimeout);
        guard.holding(handle);
        return handle;
    }

    /**
     * Takes the state lock for a run that talks to the cluster, after making sure it can ({@link Provider#connect}, for
     * the stack's types): a run that fails for a missing kubeconfig or a cluster that is not there leaves nothing
     * behind, not even the lock file beside the state, which a local lock creates and never deletes.
     */
    LockHandle lockAfterConnecting(StateBackend backend, String operation, Stack stack) {
        connect(stack);
        return lock(backend, operation);
    }

    /** Connects the providers of the stack's types ({@link Provider#connect}); a cluster that is not there fails here. */
    void connect(Stack stack) {
        connectAttempted = true;
        try {
            registry().connect(stack.resources().stream().map(r -> r.type()).collect(java.util.stream.Collectors.toSet()));
        } catch (RuntimeException e) {
            // "context X is not in the kubeconfig" (or no cluster) is the run's one message: advice about context X's
            // state file would come first and speak of a cluster that is not there.
            stateChoice.takeContextWarning();
            throw e;
        }
        warnAboutContextState();
    }

    private void warnAboutContextState() {
        String warning = stateChoice.takeContextWarning();
        if (warning != null) {
            terminal.err().println(warning);
        }
    }

    StateSnapshot readState(StateBackend backend) {
        return backend.read().orElseGet(() -> StateSnapshot.empty(version()));
    }

    /** The state of {@code stack} ({@link #stateOf(StateSnapshot, Stack, StateBackend)}); a new one when none exists. */
    StateSnapshot readState(StateBackend backend, Stack stack) {
        return stateOf(readState(backend), stack, backend);
    }

    /**
     * {@code state} as the state of {@code stack}: refused when another stack's runs wrote it (planning one stack
     * against another's state proposes destroying everything the other applied); a state that names no stack yet
     * (new, or written before state format 2) is this stack's from now on, recorded by the run's next write.
     */
    StateSnapshot stateOf(StateSnapshot state, Stack stack, StateBackend backend) {
        refuseInvalidAddresses(state, backend);
        if (stack.name() == null) {
            return state;
        }
        if (state.stack() != null && !state.stack().equals(stack.name())) {
            throw new UserError(backend.describe() + " is the state of stack `" + state.stack() + "`, not of `"
                    + stack.name() + "` (" + options.file + "); meshform will not run one stack against another's "
                    + "state, since it would destroy or take over what `" + state.stack() + "` applied.\n"
                    + "Give each stack its own state: name a file in the stack (`backend: {local: {path: "
                    + stack.name() + ".state.json}}`) or keep it in the cluster (`backend: {kubernetes: ...}`), or "
                    + "pass --state FILE or --state-secret NAMESPACE/NAME on every command of this stack.\n"
                    + "If `" + stack.name() + "` is `" + state.stack() + "` renamed, record the new name: "
                    + "`meshform state pull -f " + options.file + " > state.json`, set \"stack\": \"" + stack.name()
                    + "\" in it, then `meshform state push -f " + options.file + " state.json`.");
        }
        return state.withStack(stack.name());
    }

    /**
     * Every address a state records must be one a stack can declare: the state's format does not check them, and a
     * hand-edited or damaged entry (an escape sequence, a path, a type with no dot) reached the planner as "a bug in
     * meshform". Said here once, naming the state and the entry (escaped), with the ways back.
     */
    private static void refuseInvalidAddresses(StateSnapshot state, StateBackend backend) {
        java.util.List<String> recorded = new java.util.ArrayList<>();
        state.resources().forEach(r -> recorded.add(r.address()));
        state.deposed().forEach(d -> recorded.add(d.address()));
        for (String address : recorded) {
            try {
                io.meshform.engine.model.ResourceAddress.parse(address);
            } catch (IllegalArgumentException e) {
                throw new UserError(backend.describe() + " records an entry whose address `"
                        + io.meshform.engine.diag.ControlChars.escape(String.valueOf(address)) + "` is not a resource address ("
                        + io.meshform.engine.diag.ControlChars.escape(e.getMessage()) + "): the state was edited by hand or"
                        + " damaged, and nothing was planned or changed.\nRestore the state from its backup (a local state"
                        + " keeps the one before the last write as FILE.backup), or `meshform state pull`, fix the entry, and"
                        + " `meshform state push`.");
            }
        }
    }

    /** A plan (or state) file named on the command line: a regular file within the size limit, checked before reading. */
    static String read(Path file, String what) {
        return io.meshform.engine.load.InputFiles.readText(file, file.toString(), what,
                io.meshform.engine.load.InputFiles.PLAN_FILE_LIMIT);
    }

    @Override
    public void close() {
        if (!connectAttempted) {
            // A command that never connects (state list, force-unlock) checks no context: the warning still goes out.
            warnAboutContextState();
        }
        for (Provider p : providers) {
            if (options.debug()) {
                p.debugLines().forEach(line -> terminal.err().println("[debug] provider " + p.name() + ": " + line));
                p.counters().forEach((k, v) -> terminal.err().println("[debug] provider " + p.name() + ": " + k + "=" + v));
            }
            p.close();
        }
        guard.close();
    }
}

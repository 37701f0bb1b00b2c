package io.meshform.providers.istio.core;

import io.meshform.engine.spi.ProgressSink;
import io.meshform.engine.spi.ProviderSettings;
import io.meshform.providers.kubernetes.KubeErrors;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the istioctl binary: an argument list (handed through as positional parameters, never parsed by a shell), a
 * timeout, output lines streamed to a {@link ProgressSink}; answers of offline commands remembered
 * ({@link OfflineOutputs}). The process itself (threads, timeout, stopping) is {@link IstioctlProcess}. The
 * kubeconfig and context of the provider settings are passed on, so istioctl talks to the same cluster as the
 * Kubernetes client. istioctl runs under meshform's {@link Watchdog}, in its own process group, so it is stopped on
 * meshform's exit, SIGTERM, SIGKILL, pause, and on the timeout; the step reports it to the engine, which records it
 * in the state lock while it runs.
 */
public final class Istioctl {
    private static final Pattern VERSION = Pattern.compile("(\\d+\\.\\d+\\.\\d+(?:-[0-9A-Za-z.-]+)?)");
    private final String binary;
    private final String origin;
    private final String kubeconfig;
    private final String context;
    private final OfflineOutputs outputs;
    /** Where the files handed to this istioctl are written: the run's own, shared with {@link #withBinary} copies. */
    private final RunDirectory runDirectory;
    /**
     * Offline commands under way in this run, by their key: a second ask for the same answer waits for the first
     * process instead of starting its own. The install's plan and the mesh checks both render the same IstioOperator
     * ({@code manifest generate}, about 0.6 s of CPU), at the same time in a plan whose answers are not remembered yet.
     */
    private final io.meshform.providers.kubernetes.InFlight<OfflineOutputs.Key, Result> running;
    private String version;
    /** Why PATH gave no istioctl (then nothing is run), or null. */
    private String notFound;
    /**
     * The kubeconfig is the value of $KUBECONFIG, a list of files: handed to istioctl as KUBECONFIG, which client-go
     * merges as kubectl does, since --kubeconfig takes one file.
     */
    private boolean kubeconfigFromEnvironment;

    /** With a run directory of its own under {@code java.io.tmpdir}, removed at exit (a test, a tool). */
    public Istioctl(String binary, String origin, String kubeconfig, String context) {
        this(binary, origin, kubeconfig, context, OfflineOutputs.standard());
    }

    Istioctl(String binary, String origin, String kubeconfig, String context, OfflineOutputs outputs) {
        this(binary, origin, kubeconfig, context, outputs, new io.meshform.providers.kubernetes.InFlight<>(),
                RunDirectory.underTemp());
    }

    private Istioctl(String binary, String origin, String kubeconfig, String context, OfflineOutputs outputs, RunDirectory run) {
        this(binary, origin, kubeconfig, context, outputs, new io.meshform.providers.kubernetes.InFlight<>(), run);
    }

    private Istioctl(String binary, String origin, String kubeconfig, String context, OfflineOutputs outputs,
                     io.meshform.providers.kubernetes.InFlight<OfflineOutputs.Key, Result> running, RunDirectory runDirectory) {
        this.binary = binary;
        this.origin = origin;
        this.kubeconfig = kubeconfig;
        this.context = context;
        this.outputs = outputs;
        this.running = running;
        this.runDirectory = runDirectory;
    }

    /**
     * Where the {@code istioctl} setting came from, as the user wrote it ({@code --istioctl} or
     * {@code MESHFORM_ISTIOCTL}): errors say "from MESHFORM_ISTIOCTL", which the user can act on, not "from the istioctl
     * setting", a name of meshform's own plumbing that appears nowhere in its help.
     */
    public static final String ORIGIN_SETTING = "istioctlOrigin";

    /**
     * Setting {@code istioctl}, else MESHFORM_ISTIOCTL, else istioctl on PATH; the files handed to it are written in
     * {@code run}, which the caller owns (and closes when the run ends).
     */
    public static Istioctl fromSettings(ProviderSettings s, RunDirectory run) {
        return fromSettings(s, System.getenv(), run);
    }

    /**
     * As {@link #fromSettings(ProviderSettings)}, with this environment. On PATH only absolute entries count
     * ({@link ExecutableLookup}); when none holds istioctl, every run fails with the reason, and the bare name is never
     * handed to the operating system, whose own PATH search would take a relative entry.
     */
    static Istioctl fromSettings(ProviderSettings s, java.util.Map<String, String> env) {
        return fromSettings(s, env, RunDirectory.underTemp());
    }

    private static Istioctl fromSettings(ProviderSettings s, java.util.Map<String, String> env, RunDirectory run) {
        String kubeconfig = s.get("kubeconfig").orElse(null);
        String context = s.get("context").orElse(null);
        OfflineOutputs outputs = OfflineOutputs.standard(env);
        Istioctl i;
        String fromEnv = env.get("MESHFORM_ISTIOCTL");
        if (s.get("istioctl").isPresent()) {
            i = new Istioctl(s.get("istioctl").get(), s.get(ORIGIN_SETTING).orElse("--istioctl"), kubeconfig, context, outputs, run);
        } else if (fromEnv != null && !fromEnv.isBlank()) {
            i = new Istioctl(fromEnv, "MESHFORM_ISTIOCTL", kubeconfig, context, outputs, run);
        } else {
            ExecutableLookup.Found found = ExecutableLookup.find("istioctl", env.get("PATH"));
            i = new Istioctl(found.path().orElse("istioctl"), "PATH", kubeconfig, context, outputs, run);
            i.notFound = found.path().isPresent() ? null : found.problem("istioctl");
        }
        i.kubeconfigFromEnvironment = io.meshform.providers.kubernetes.KubeConnection.kubeconfigFromEnvironment(s);
        return i;
    }

    /** The same cluster settings with another binary: a canary of another Istio release brings its own istioctl. */
    public Istioctl withBinary(String otherBinary, String otherOrigin) {
        Istioctl other = new Istioctl(otherBinary, otherOrigin, kubeconfig, context, outputs, running, runDirectory);
        other.kubeconfigFromEnvironment = kubeconfigFromEnvironment;
        return other;
    }

    /**
     * This binary, with the same cluster settings, remembering nothing: its offline answers are neither read from nor
     * written to {@link OfflineOutputs}, and {@link #cacheDirectory} is empty, so nothing derived from them is kept
     * either. For inputs that hold a value meshform keeps out of what it writes (a sensitive variable spliced into an
     * install's meshConfig): {@code manifest generate} prints it back, and the cache outlives the run, in clear.
     */
    public Istioctl rememberingNothing() {
        Istioctl other = new Istioctl(binary, origin, kubeconfig, context, new OfflineOutputs(null, java.util.Map.of()),
                new io.meshform.providers.kubernetes.InFlight<>(), runDirectory);
        other.kubeconfigFromEnvironment = kubeconfigFromEnvironment;
        other.notFound = notFound;
        synchronized (this) {
            other.version = version;   // asked already (no input, no secret): not asked again
        }
        return other;
    }

    /**
     * The directory of the remembered offline answers (user-only), for what is derived from them; empty when
     * remembering is off.
     */
    public Optional<Path> cacheDirectory() {
        return Optional.ofNullable(outputs.directory());
    }

    /** The private directory of this run for the files handed to istioctl ({@code -f}). */
    public RunDirectory runDirectory() {
        return runDirectory;
    }

    public String binary() {
        return binary;
    }

    /** "istioctl /path (from --istioctl)": the binary and where the user chose it, for messages. */
    public String named() {
        return "istioctl " + binary + " (from " + origin + ")";
    }

    public record Result(int exit, List<String> stdout, List<String> stderr) {
        public String out() {
            return String.join("\n", stdout);
        }

        /** The last lines of stderr (else stdout), for error messages. */
        public String tail(int n) {
            List<String> lines = stderr.isEmpty() ? stdout : stderr;
            return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        }
    }

    /** The client version, e.g. "1.28.5" ({@code istioctl version --remote=false --short}); cached. */
    public synchronized String version() {
        if (version == null) {
            List<String> args = List.of("version", "--remote=false", "--short");
            Result r = runOffline(args, List.of(), Duration.ofSeconds(30));
            if (r.exit() != 0) {
                args = List.of("version", "--remote=false");
                r = runOffline(args, List.of(), Duration.ofSeconds(30));
            }
            Matcher m = VERSION.matcher(r.out());
            if (r.exit() != 0 || !m.find()) {
                // The arguments of the run whose answer is quoted: the first, unless it failed and the second ran.
                throw KubeErrors.error("cannot tell the version of " + named(), "`istioctl " + String.join(" ", args)
                        + "` " + UnexpectedAnswer.outcome(r) + "; " + UnexpectedAnswer.ADVICE);
            }
            version = m.group(1);
        }
        return version;
    }

    /** True when the installed "1.28.5" satisfies a wanted "1.28" or "1.28.5". */
    public static boolean versionMatches(String found, String wanted) {
        return found.equals(wanted) || found.startsWith(wanted + ".") || found.startsWith(wanted + "-");
    }

    /**
     * Runs a command that never contacts a cluster, answered from {@link OfflineOutputs} when this same binary
     * already ran it on the same input files (those of {@code args} listed in {@code inputs}) and configuration.
     * Only stdout is kept: a remembered answer has no stderr.
     */
    public Result runOffline(List<String> args, List<Path> inputs, Duration timeout) {
        requireFound();
        Optional<OfflineOutputs.Key> key = outputs.key(binary, args, inputs);
        if (key.isEmpty()) {
            return run(args, timeout, ProgressSink.NONE, false);
        }
        return running.get(key.get(), () -> {
            Optional<List<String>> hit = outputs.get(key.get());
            if (hit.isPresent()) {
                return new Result(0, hit.get(), List.of());
            }
            Result r = run(args, timeout, ProgressSink.NONE, false);
            if (r.exit() == 0) {
                outputs.put(key.get(), r.stdout());
            }
            return r;
        });
    }

    /**
     * The name {@link #runOffline} keeps the answer of this command under: a SHA-256 of this binary's identity, the
     * arguments, the input files' contents and the configuration istioctl reads, so that whatever is derived from the
     * answer (a parsed render) can be kept under it too and found without reading the answer again. Empty when
     * answers are not kept (no cache directory) or for commands without input files (their keys are not digests).
     */
    public Optional<String> offlineKey(List<String> args, List<Path> inputs) {
        if (inputs.isEmpty()) {
            return Optional.empty();
        }
        return outputs.key(binary, args, inputs).filter(k -> k.exact() == null).map(OfflineOutputs.Key::name);
    }

    /**
     * Runs an offline command whose whole answer (exit code, stdout and stderr) is a function of the binary, the
     * arguments, the input files and the machine's configuration ({@link OfflineOutputs#answerKey}, where what
     * {@code istioctl validate} reads is cited), answered from {@link OfflineOutputs} when it ran before. Unlike
     * {@link #runOffline}, refusals are remembered too: exit 1 is istioctl's answer that an object is invalid (cobra
     * returns validate's multierror, istioctl's main prints it and exits 1), and replaying it gives the same errors
     * at the same lines as a fresh run, only sooner. Not remembered: any other exit (a Go panic exits 2, a signal
     * 128+), a timeout, an answer that says istioctl could not read or stat its input (an I/O failure of this run,
     * validate.go's "cannot read file"/"cannot stat file"), and runs whose input paths could be printed other than
     * verbatim (see {@link #rememberable}).
     */
    public Result runRemembered(List<String> args, List<Path> inputs, Duration timeout) {
        return runRemembered(args, inputs, timeout, false);
    }

    /**
     * As {@link #runRemembered(List, List, Duration)}; with {@code sensitive} (the input holds a value meshform keeps
     * out of what it writes) istioctl always runs and its answer is not kept: a refusal quotes the value it refuses
     * ({@code bad port (...)}), and the cache outlives the run, in clear, where the redactor never looks.
     */
    public Result runRemembered(List<String> args, List<Path> inputs, Duration timeout, boolean sensitive) {
        requireFound();
        if (sensitive) {
            return run(args, timeout, ProgressSink.NONE, false);
        }
        List<String> paths = inputs.stream().map(Path::toString).toList();
        Optional<String> key = rememberable(paths) ? outputs.answerKey(binary, args, inputs) : Optional.empty();
        if (key.isPresent()) {
            Optional<Result> hit = outputs.answer(key.get(), paths);
            if (hit.isPresent()) {
                return hit.get();
            }
        }
        Result r = run(args, timeout, ProgressSink.NONE, false);
        if (key.isPresent() && (r.exit() == 0 || r.exit() == 1) && !ioFailure(r)) {
            outputs.putAnswer(key.get(), r, paths);
        }
        return r;
    }

    /**
     * Whether the input paths can be put back into a remembered answer exactly: istioctl prints them with Go's
     * {@code %q} or {@code %s}, which agree for these characters; at most ten, none inside another.
     */
    static boolean rememberable(List<String> paths) {
        if (paths.size() > 10) {
            return false;
        }
        for (int i = 0; i < paths.size(); i++) {
            if (!paths.get(i).matches("[A-Za-z0-9._/+-]+")) {
                return false;
            }
            for (int j = 0; j < paths.size(); j++) {
                if (i != j && paths.get(j).contains(paths.get(i))) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean ioFailure(Result r) {
        return java.util.stream.Stream.concat(r.stdout().stream(), r.stderr().stream())
                .anyMatch(l -> l.contains("cannot read file \"") || l.contains("cannot stat file \""));
    }

    /**
     * Fails as every run does when PATH held no usable istioctl. Checked before a remembered answer is looked up too:
     * the binary is then the bare name {@code istioctl}, whose identity resolves against the working directory, so a
     * {@code ./istioctl} there (the very file the PATH lookup refused) would otherwise answer from the cache, and
     * validate said "the mesh config istioctl 1.30.3 renders" in the run that said istioctl cannot run.
     */
    private void requireFound() {
        if (notFound != null) {
            throw KubeErrors.error("cannot run istioctl (from PATH): " + notFound,
                    "install istioctl in a directory PATH names absolutely, or point --istioctl / MESHFORM_ISTIOCTL at the binary");
        }
    }

    /** Runs istioctl with the cluster flags appended when {@code cluster} is true. */
    public Result run(List<String> args, Duration timeout, ProgressSink progress, boolean cluster) {
        return run(args, timeout, progress, cluster, io.meshform.engine.plan.SensitiveMessage.none());
    }

    /**
     * As {@link #run(List, Duration, ProgressSink, boolean)}, for an input that may hold sensitive values: the error of
     * a timeout quotes istioctl's last output through {@code messages}.
     */
    public Result run(List<String> args, Duration timeout, ProgressSink progress, boolean cluster,
                      io.meshform.engine.plan.SensitiveMessage messages) {
        requireFound();
        List<String> cmd = new ArrayList<>();
        cmd.add(binary);
        cmd.addAll(args);
        java.util.Map<String, String> env = java.util.Map.of();
        if (cluster) {
            if (kubeconfig != null && kubeconfigFromEnvironment) {
                env = java.util.Map.of("KUBECONFIG", kubeconfig);
            } else if (kubeconfig != null) {
                cmd.add("--kubeconfig");
                cmd.add(kubeconfig);
            }
            if (context != null) {
                cmd.add("--context");
                cmd.add(context);
            }
        }
        return IstioctlProcess.run(cmd, env, "istioctl " + String.join(" ", args), timeout, progress,
                e -> KubeErrors.error("cannot run istioctl (" + binary + ", from " + origin + "): " + e.getMessage(),
                        "install istioctl, or point --istioctl / MESHFORM_ISTIOCTL at the binary"), messages);
    }
}

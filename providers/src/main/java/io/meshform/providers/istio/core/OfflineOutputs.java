package io.meshform.providers.istio.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The remembered output of istioctl's offline commands ({@code version --remote=false}, {@code manifest generate}):
 * what they print depends only on the binary, the arguments, the input files and istioctl's own configuration, and
 * running them costs 0.3-0.6 s of a plan that otherwise takes under a second. The key is a SHA-256 of all of
 * that (or, for a run that reads nothing but the binary and its arguments, that text itself: {@link #key}): the
 * binary's real path, inode, size, modification and change times (any write to the binary changes the change
 * time), the arguments with each input file replaced by its content, every {@code ISTIO*} environment
 * variable (istioctl reads {@code ISTIOCTL_*} flags from the environment), and istioctl's defaults file
 * ({@code $ISTIOCONFIG}, else {@code ~/.istioctl/config.yaml}). Only successful runs are kept. Files live in
 * {@code $MESHFORM_CACHE/istioctl} (default {@code ~/.cache/meshform/istioctl}), readable by the user only; the
 * newest {@value #KEEP} are kept. {@code MESHFORM_ISTIOCTL_CACHE=off} always runs istioctl.
 *
 * <p>{@code istioctl validate}'s whole answer (exit code, stdout and stderr, refusals included) is kept too
 * ({@link #answerKey}, {@link #answer}, {@code .answer} files), under a key that adds what validate reads from the
 * machine. What it is given: the stack's Istio objects, and what it keeps is what it printed about them; the
 * environment and kubeconfig are only hashed into the key. Istio objects can hold sensitive values (a value of a
 * {@code sensitive} variable, a RequestAuthentication's inline {@code jwks}, a last-applied annotation), which a
 * refusal quotes: the answer for such objects is never kept ({@code Istioctl.runRemembered} with {@code sensitive}).
 * Nor is {@code manifest generate}'s of an install spec that holds one (it prints the meshConfig and values back):
 * such a spec is rendered by {@code Istioctl.rememberingNothing}, every run.
 *
 * <p>Trust boundary: the user's own account. A kept file is used only when {@link CacheFiles#read} accepts it (a
 * regular file, not a link, owned by this user in a directory owned by this user, neither writable by group or
 * others); it must also parse whole and name the key it is filed under. Another user (a shared {@code $MESHFORM_CACHE}, a planted link) can
 * therefore not make meshform take an answer it did not write. Whoever can write files as this user can forge one,
 * as they can forge a {@code manifest generate} answer, the istioctl binary or its defaults file; a signature would
 * need a key that same user could read, so none is made.
 */
final class OfflineOutputs {
    static final int KEEP = 32;
    /** The binary's identity: any write to it changes its change time. */
    private static final List<String> ATTRIBUTES = List.of("ino", "size", "lastModifiedTime", "ctime");
    /** The first line of a kept file of a plain {@link Key}: the exact text its name stands for. */
    private static final String PLAIN_HEADER = "#meshform-key ";
    private static final String ANSWER = ".answer";
    /** Variables a shell sets by itself on every command, which istioctl does not read. */
    private static final java.util.Set<String> SHELL_ONLY = java.util.Set.of("_", "OLDPWD", "SHLVL");
    private final Path dir;
    private final Map<String, String> env;

    OfflineOutputs(Path dir, Map<String, String> env) {
        this.dir = dir;
        this.env = env;
    }

    /** The cache of this process's environment; disabled when there is no home to keep it in. */
    static OfflineOutputs standard() {
        return standard(System.getenv());
    }

    /** The cache of this environment (its {@code MESHFORM_CACHE}, {@code XDG_CACHE_HOME}, ...). */
    static OfflineOutputs standard(Map<String, String> env) {
        if ("off".equals(env.get("MESHFORM_ISTIOCTL_CACHE"))) {
            return new OfflineOutputs(null, env);
        }
        String base = env.get("MESHFORM_CACHE");
        if (base == null || base.isBlank()) {
            String xdg = env.get("XDG_CACHE_HOME");
            String home = System.getProperty("user.home");
            base = xdg != null && !xdg.isBlank() ? xdg + "/meshform"
                    : home == null || home.isBlank() || home.equals("?") ? null : home + "/.cache/meshform";
        }
        return new OfflineOutputs(base == null ? null : Path.of(base, "istioctl"), env);
    }

    /** Where the answers are kept, or null when remembering is off (no home, or MESHFORM_ISTIOCTL_CACHE=off). */
    Path directory() {
        return dir;
    }

    /**
     * Where a run's answer is kept: the file's name, and for a key made without a digest ({@link #key}) the exact
     * text the name stands for, which the kept file repeats and a read compares; null for a digest's name.
     */
    record Key(String name, String exact) {
    }

    /**
     * The key of one run, or empty when the binary or an input cannot be read (then nothing is cached).
     *
     * <p>A run without input files, {@code ISTIO*} variables or defaults file ({@code istioctl version}, what
     * {@code meshform version} asks) is keyed by the binary's identity and the arguments written out: the kept file
     * repeats them and a read compares them exactly, so no digest is needed. That is most of {@code meshform
     * version}'s own time otherwise: the first {@link MessageDigest} of a JVM loads the security providers (about
     * 200 classes, 30 ms of CPU; BENCHMARKS.md, issue 18, morning session). The text holds no secret: a path, an
     * inode, sizes and times, istioctl's arguments. Every other run is keyed by a SHA-256 ({@link #digest}).
     */
    Optional<Key> key(String binary, List<String> args, List<Path> inputs) {
        if (dir == null) {
            return Optional.empty();
        }
        Optional<Key> plain = inputs.isEmpty() ? plainKey(binary, args) : Optional.empty();
        return plain.isPresent() ? plain : digest(binary, args, inputs, false).map(name -> new Key(name, null));
    }

    /** {@link #key} without a digest, when nothing but the binary and the arguments makes the answer. */
    private Optional<Key> plainKey(String binary, List<String> args) {
        for (String name : env.keySet()) {
            if (name.startsWith("ISTIO")) {
                return Optional.empty();
            }
        }
        try {
            if (Files.exists(defaultsFile())) {
                return Optional.empty();
            }
            StringBuilder exact = new StringBuilder();
            for (String field : binaryIdentity(binary)) {
                plainField(exact, field);
            }
            for (String arg : args) {
                plainField(exact, arg);
            }
            String text = exact.toString();
            if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
                return Optional.empty();   // the kept file repeats the text on one line
            }
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(text.getBytes(StandardCharsets.UTF_8));
            HexFormat hex = HexFormat.of();
            return Optional.of(new Key("p" + hex.toHexDigits((int) crc.getValue()) + hex.toHexDigits(text.hashCode()), text));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The binary's real path, inode, size, modification and change times (nanoseconds). */
    private static List<String> binaryIdentity(String binary) throws IOException {
        Path bin = Path.of(binary).toRealPath();
        Map<String, Object> attrs = Files.readAttributes(bin, "unix:" + String.join(",", ATTRIBUTES));
        List<String> fields = new java.util.ArrayList<>();
        fields.add(bin.toString());
        for (String a : ATTRIBUTES) {
            Object v = attrs.get(a);
            fields.add(v instanceof FileTime t ? Long.toString(t.to(java.util.concurrent.TimeUnit.NANOSECONDS)) : String.valueOf(v));
        }
        return fields;
    }

    /** istioctl's defaults file: {@code $ISTIOCONFIG}, else {@code ~/.istioctl/config.yaml}. */
    private Path defaultsFile() {
        String config = env.get("ISTIOCONFIG");
        return config != null && !config.isBlank() ? Path.of(config)
                : Path.of(System.getProperty("user.home", "/"), ".istioctl", "config.yaml");
    }

    /** One field of a plain key: its length, then itself, so no two lists of fields give the same text. */
    private static void plainField(StringBuilder exact, String value) {
        exact.append(value.length()).append(':').append(value).append(' ');
    }

    /**
     * The key of one run whose whole answer is kept ({@link #answer}): {@link #key}'s inputs and, beyond them, what
     * {@code istioctl validate} reads from the machine, established from istio.io/istio at the pinned release:
     * <ul>
     * <li>The namespace it gives objects without one. {@code NewValidateCommand} passes
     * {@code ctx.NamespaceOrDefault("")} (istioctl/pkg/validate/validate.go), which ignores the {@code --namespace}
     * flag and takes {@code RootFlags.DefaultNamespace()} (istioctl/pkg/cli/option.go,
     * {@code configureDefaultNamespace}): the namespace of the kubeconfig's current context (or of
     * {@code --context}), else "default". The kubeconfig is found by client-go's {@code PathOptions}
     * (k8s.io/client-go tools/clientcmd/config.go, {@code GetLoadingPrecedence}): the files of {@code $KUBECONFIG}
     * when it is set, even over {@code --kubeconfig}, else {@code $HOME/.kube/config}. The namespace reaches
     * istiod's rules ({@code validateExportTo}, the dry-run annotation's message "ns/name has annotation ...",
     * pkg/config/validation/validation.go), so it changes the answer: the contents of those kubeconfig files are in
     * the key (a missing file as such), hashed, never stored.</li>
     * <li>The Istio namespace ({@code --istioNamespace}, default from viper: {@code ISTIOCTL_ISTIONAMESPACE} or the
     * defaults file, istioctl/cmd/root.go {@code ConfigAndEnvProcessing}), read for Services and Deployments only:
     * in the key through the environment and the defaults file ({@code $ISTIOCONFIG}, else
     * {@code $HOME/.istioctl/config.yaml} as istioctl expands it, beside {@link #key}'s {@code user.home} one).</li>
     * <li>The environment beyond {@code ISTIO*}: istiod's rules read feature flags registered with
     * {@code env.Register} (e.g. {@code RESOLVE_HOSTNAME_GATEWAYS} in pkg/config/validation/agent/validation.go), a
     * set meshform cannot list, so every variable is in the key but those a shell changes by itself and no Go
     * program reads ({@code _}, {@code OLDPWD}, {@code SHLVL}).</li>
     * <li>The cluster: never contacted. {@code validate} builds no client, and its hidden {@code --referential}
     * flag is parsed into a variable nothing reads (validate.go); with a kubeconfig naming an unreachable server it
     * answers the same in 0.2 s.</li>
     * </ul>
     */
    Optional<String> answerKey(String binary, List<String> args, List<Path> inputs) {
        return digest(binary, args, inputs, true);
    }

    private Optional<String> digest(String binary, List<String> args, List<Path> inputs, boolean machine) {
        if (dir == null) {
            return Optional.empty();
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            if (machine) {
                field(sha, "<whole answer>");
            }
            for (String field : binaryIdentity(binary)) {
                field(sha, field);
            }
            for (String arg : args) {
                int input = indexOf(inputs, arg);
                if (input < 0) {
                    field(sha, arg);
                } else {
                    field(sha, "<input>");
                    sha.update(Files.readAllBytes(inputs.get(input)));
                }
            }
            for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
                if (e.getKey().startsWith("ISTIO")) {
                    field(sha, e.getKey() + "=" + e.getValue());
                }
            }
            Path defaults = defaultsFile();
            field(sha, Files.isRegularFile(defaults) ? new String(Files.readAllBytes(defaults), StandardCharsets.UTF_8) : "<no defaults>");
            if (machine) {
                machine(sha);
            }
            return Optional.of(HexFormat.of().formatHex(sha.digest()));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | NoSuchAlgorithmException e) {
            return Optional.empty();
        }
    }

    /** What {@link #answerKey} adds: the environment, the kubeconfig files and the $HOME-relative defaults file. */
    private void machine(MessageDigest sha) throws IOException {
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            if (!SHELL_ONLY.contains(e.getKey())) {
                field(sha, "env " + e.getKey() + "=" + e.getValue());
            }
        }
        String home = env.getOrDefault("HOME", "");
        String kubeconfig = env.get("KUBECONFIG");
        List<String> files = kubeconfig == null || kubeconfig.isEmpty()
                ? List.of(Path.of(home, ".kube", "config").toString()) : List.of(kubeconfig.split(":", -1));
        for (String f : files) {
            field(sha, "kubeconfig " + f);
            if (!f.isEmpty()) {
                file(sha, Path.of(f));
            }
        }
        String config = env.get("ISTIOCONFIG");
        if (config == null || config.isBlank()) {
            file(sha, Path.of(home, ".istioctl", "config.yaml"));
        }
    }

    private static void file(MessageDigest sha, Path p) throws IOException {
        if (Files.isRegularFile(p)) {
            field(sha, "<file>");
            sha.update(Files.readAllBytes(p));
            field(sha, "");
        } else {
            field(sha, Files.exists(p) ? "<not a file>" : "<no file>");
        }
    }

    /**
     * The position of the input named {@code arg}, else -1. A loop rather than a stream: {@code meshform version}
     * computes a key in a JVM without the class cache, where each stream or lambda is generated at run time.
     */
    private static int indexOf(List<Path> inputs, String arg) {
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i).toString().equals(arg)) {
                return i;
            }
        }
        return -1;
    }

    private static void field(MessageDigest sha, String value) {
        sha.update(value.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
    }

    Optional<List<String>> get(Key key) {
        Optional<String> kept = CacheFiles.read(dir, key.name() + ".out");   // no lambda: see indexOf
        if (kept.isEmpty()) {
            return Optional.empty();
        }
        String text = kept.get();
        if (key.exact() != null) {
            String header = PLAIN_HEADER + key.exact() + "\n";
            if (!text.startsWith(header)) {
                return Optional.empty();   // another key with the same name (a collision): run istioctl
            }
            text = text.substring(header.length());
        }
        return Optional.of(text.isEmpty() ? List.of() : List.of(text.split("\n", -1)));
    }

    /**
     * The remembered whole answer of {@code key}, with the current run's {@code inputs} where the answer named its
     * own ({@link AnswerText}); empty when there is none, or it is unreadable, not of this key, or not the user's own.
     */
    Optional<Istioctl.Result> answer(String key, List<String> inputs) {
        return CacheFiles.read(dir, key + ANSWER).flatMap(text -> AnswerText.decode(text, key, inputs));
    }

    /** Keeps a run's whole answer; a failure to write only means the next run asks istioctl again. */
    void putAnswer(String key, Istioctl.Result r, List<String> inputs) {
        try {
            CacheFiles.write(dir, key + ANSWER, AnswerText.encode(key, r, inputs), n -> n.endsWith(ANSWER), KEEP);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort
        }
    }

    /** Keeps a successful run's stdout; a failure to write only means the next run asks istioctl again. */
    void put(Key key, List<String> stdout) {
        String text = String.join("\n", stdout);
        try {
            CacheFiles.write(dir, key.name() + ".out", key.exact() == null ? text : PLAIN_HEADER + key.exact() + "\n" + text,
                    n -> n.endsWith(".out"), KEEP);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort
        }
    }
}

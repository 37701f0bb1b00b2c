package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.spi.ProviderSettings;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The kubeconfig a provider's settings name, read as kubectl reads it: --kubeconfig's one file, the files of
 * $KUBECONFIG ({@link KubeConnection#KUBECONFIG_FROM_ENVIRONMENT}), or {@code .kube/config} under
 * {@link KubeConnection#HOME_SETTING}; and the {@code context} checked, since fabric8 silently falls back to the
 * current context for an unknown name. Every way this fails says which file and what to pass instead.
 */
final class KubeconfigSource {
    private KubeconfigSource() {
    }

    /** The prefix of the settings that carry the caller's proxy variables ({@link EnvironmentProxy#VARIABLES}). */
    static final String PROXY_SETTING_PREFIX = "env.";

    /**
     * The proxy variables of the caller's environment: a caller that gives its environment ($HOME, the CLI) gives them
     * as settings too (none there means none set), else this JVM's own.
     */
    static EnvironmentProxy proxy(ProviderSettings settings) {
        boolean given = settings.get(KubeConnection.HOME_SETTING).isPresent();
        return EnvironmentProxy.of(name -> given ? settings.get(PROXY_SETTING_PREFIX + name).orElse(null) : System.getenv(name));
    }

    /** The client configuration of the kubeconfig and context the settings name; a {@link DiagnosticsException} otherwise. */
    static Config read(ProviderSettings settings) {
        return read(settings, new ExecCredentialRuns());
    }

    /** As {@link #read(ProviderSettings)}, each exec plugin run at most once in {@code execRuns}. */
    static Config read(ProviderSettings settings, ExecCredentialRuns execRuns) {
        return read(settings, proxy -> new KubeconfigReader(execRuns, proxy));
    }

    /** The kubeconfig the settings name, read for its contexts' names alone ({@link KubeconfigReader#forNames}). */
    static Config readNames(ProviderSettings settings) {
        return read(settings, proxy -> KubeconfigReader.forNames());
    }

    private static Config read(ProviderSettings settings, java.util.function.Function<EnvironmentProxy, KubeconfigReader> readers) {
        String context = settings.get("context").orElse(null);
        String kubeconfig = settings.get("kubeconfig").orElse(null);
        boolean fromEnvironment = kubeconfig != null && KubeConnection.kubeconfigFromEnvironment(settings);
        String where = kubeconfig == null ? "" : fromEnvironment ? " files of $KUBECONFIG (" + kubeconfig + ")" : " " + kubeconfig;
        EnvironmentProxy proxy = proxy(settings);
        Config config;
        try {
            if (fromEnvironment) {
                config = readers.apply(proxy).fromFiles(context, environmentFiles(kubeconfig));
            } else if (kubeconfig != null) {
                Path file = Path.of(kubeconfig);
                if (!Files.exists(file)) {
                    throw fail("kubeconfig " + kubeconfig + " does not exist",
                            "pass an existing file with --kubeconfig, or leave it out to use KUBECONFIG or ~/.kube/config");
                }
                // The client reads it: a FIFO or /dev/zero is refused before it can stall or exhaust the run.
                io.meshform.engine.load.InputFiles.requireRegular(file, kubeconfig, "kubeconfig",
                        io.meshform.engine.load.InputFiles.STACK_FILE_LIMIT);
                config = readers.apply(proxy).fromFile(context, file.toFile());
            } else {
                Path home = Path.of(settings.get(KubeConnection.HOME_SETTING).orElse(System.getProperty("user.home")), ".kube", "config");
                // A caller that gives $HOME (the CLI, from the environment it was given) has already turned a
                // $KUBECONFIG of that environment into the kubeconfig setting: none here means none there, whatever
                // this JVM's own environment holds.
                String environment = settings.get(KubeConnection.HOME_SETTING).isPresent() ? null : System.getenv("KUBECONFIG");
                noKubeconfigAnywhere(home, environment);
                boolean homeFile = System.getProperty("kubeconfig") == null && blank(environment) && Files.isRegularFile(home);
                config = homeFile ? readers.apply(proxy).autoConfigure(context, List.of(home.toFile()))
                        : readers.apply(proxy).autoConfigure(context);
            }
        } catch (DiagnosticsException e) {
            throw e;
        } catch (RuntimeException e) {
            throw fail("cannot read the kubeconfig" + where + ": " + e.getMessage(), null);
        }
        if (kubeconfig != null && context == null && config.getCurrentContext() == null) {
            noCurrentContext(where, config);
        }
        if (context != null) {
            List<NamedContext> contexts = config.getContexts() == null ? List.of() : config.getContexts();
            boolean known = contexts.stream().anyMatch(c -> context.equals(c.getName()));
            if (!known || config.getCurrentContext() == null || !Objects.equals(context, config.getCurrentContext().getName())) {
                throw fail("context `" + context + "` is not in the kubeconfig" + where,
                        contexts.isEmpty() ? "the kubeconfig defines no contexts"
                                : "known contexts: " + String.join(", ", contexts.stream().map(NamedContext::getName).sorted().toList()));
            }
        }
        if (config.getMasterUrl() == null || config.getMasterUrl().isBlank()) {
            throw fail("no Kubernetes cluster configured", "pass --kubeconfig and --context, or set KUBECONFIG");
        }
        return config;
    }

    /**
     * The files a {@code KUBECONFIG} value names, as kubectl reads them: separated by ':', empty entries and files
     * that do not exist skipped, each file once. None at all is an error that says where the list came from.
     */
    static List<java.io.File> environmentFiles(String list) {
        java.util.LinkedHashSet<Path> files = new java.util.LinkedHashSet<>();
        for (String entry : list.split(File.pathSeparator, -1)) {
            if (entry.isEmpty() || !Files.exists(Path.of(entry))) {
                continue;
            }
            // The client reads it: a FIFO or /dev/zero is refused before it can stall or exhaust the run.
            io.meshform.engine.load.InputFiles.requireRegular(Path.of(entry), entry + " (from $KUBECONFIG)", "kubeconfig",
                    io.meshform.engine.load.InputFiles.STACK_FILE_LIMIT);
            files.add(Path.of(entry).toAbsolutePath().normalize());
        }
        if (files.isEmpty()) {
            throw fail("no kubeconfig found: KUBECONFIG=" + list + " names no existing file",
                    "set $KUBECONFIG to existing files (a list separated by ':', as kubectl reads it), or pass --kubeconfig FILE");
        }
        return files.stream().map(Path::toFile).toList();
    }

    /**
     * Without this, fabric8 falls back to https://kubernetes.default.svc and the user reads a DNS failure for a
     * host they never named. In a pod (KUBERNETES_SERVICE_HOST set) that fallback is the in-cluster config: keep it.
     */
    private static void noKubeconfigAnywhere(Path home, String env) {
        if (System.getenv("KUBERNETES_SERVICE_HOST") != null || System.getProperty("kubeconfig") != null) {
            return;
        }
        if (env != null && !env.isBlank()) {
            for (String f : env.split(File.pathSeparator)) {
                if (!f.isBlank() && Files.isRegularFile(Path.of(f))) {
                    return;
                }
            }
        } else if (Files.isRegularFile(home)) {
            return;
        }
        throw fail("no kubeconfig found: " + (env != null && !env.isBlank() ? "KUBECONFIG=" + env + " names no existing file"
                        : "KUBECONFIG is not set and " + home + " does not exist") + ", and this is not a pod in a cluster",
                // bin/dev-cluster is in the repository only: the release archive and the image have none.
                "pass --kubeconfig FILE (and --context NAME), or set KUBECONFIG (in a checkout of meshform's repository,"
                        + " `bin/dev-cluster env` prints one for its local test cluster)");
    }

    /**
     * A kubeconfig the user named that selects no context (no current-context, or a file that is no kubeconfig,
     * such as the stack): fabric8 would fall back to https://kubernetes.default.svc, and the user would read a DNS
     * failure for a host they never named. In a pod that fallback is the in-cluster config, as kubectl's: kept.
     */
    private static void noCurrentContext(String where, Config config) {
        if (System.getenv("KUBERNETES_SERVICE_HOST") != null) {
            return;
        }
        List<NamedContext> contexts = config.getContexts() == null ? List.of() : config.getContexts();
        throw fail("the kubeconfig" + where + " selects no context: it sets no current-context and --context was not given",
                contexts.isEmpty() ? "it defines no contexts either; is it a kubeconfig? (`kubectl config view --kubeconfig"
                        + " FILE` shows what it holds)" : "pass --context NAME (it defines: " + String.join(", ",
                        contexts.stream().map(NamedContext::getName).sorted().toList()) + "), or set its current-context");
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static DiagnosticsException fail(String summary, String detail) {
        return new DiagnosticsException(Diagnostic.error(summary, detail, null));
    }
}

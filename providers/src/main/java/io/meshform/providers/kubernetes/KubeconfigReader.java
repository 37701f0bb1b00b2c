package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.api.model.ExecConfig;
import io.fabric8.kubernetes.api.model.NamedAuthInfo;
import io.fabric8.kubernetes.api.model.NamedCluster;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.internal.KubeConfigUtils;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.utils.Utils;
import io.fabric8.kubernetes.model.jackson.Jackson2JdkTypesModule;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns kubeconfig files into fabric8's client {@link Config} as {@code Config.fromKubeconfig} and
 * {@code Config.autoConfigure} do, minus one cost: fabric8 parses a kubeconfig through its shared serializer, whose
 * model types include {@code NamedExtension.extension} (deserialized by {@code KubernetesDeserializer}), and that
 * deserializer's first use loads every model class named in {@code META-INF/services} (about 600) to read their
 * {@code @Group/@Version/@Kind}. That scan ran before a plan's first API request (about 0.2-0.4 s of a 1-2 s start).
 * Here the same parser (fabric8's {@link KubernetesSerialization}, set up as its default one is) runs with the scan
 * switched off; merging, contexts, relative paths, credentials and environment overrides stay fabric8's own code
 * ({@link KubeConfigUtils#merge}, {@link Config#configFromSysPropsOrEnvVars}). An {@code extension} in a kubeconfig
 * still parses, as a generic object instead of a typed one; nothing in the client reads extensions.
 */
final class KubeconfigReader {
    /** The exec plugins run so far by the connection this reader reads for: each is run once per run. */
    private final ExecCredentialRuns execRuns;
    /** The environment's proxy (HTTPS_PROXY, NO_PROXY...), chosen as kubectl chooses it; null: left as fabric8 reads it. */
    private final EnvironmentProxy environment;

    /**
     * A reader of its own, which leaves the proxy as fabric8 reads it (none for a file, the JVM's environment's for
     * {@link #autoConfigure}): its plugins run again in another reader (tests of fabric8 parity, one-off reads).
     */
    KubeconfigReader() {
        this(new ExecCredentialRuns(), null);
    }

    KubeconfigReader(ExecCredentialRuns execRuns, EnvironmentProxy environment) {
        this(execRuns, environment, false);
    }

    /** Whether only the contexts' names are wanted: no cluster checked, no exec plugin run ({@link #forNames}). */
    private final boolean namesOnly;

    private KubeconfigReader(ExecCredentialRuns execRuns, EnvironmentProxy environment, boolean namesOnly) {
        this.execRuns = execRuns;
        this.environment = environment;
        this.namesOnly = namesOnly;
    }

    /**
     * A reader for the list of contexts ({@code --all-contexts}): the files merged as for a run, but nothing done for
     * the current context, whose user's exec plugin a listing has no use for and whose cluster's refusal
     * ({@link ClusterTransport#check}) belongs to a run against it, not to every other context's.
     */
    static KubeconfigReader forNames() {
        return new KubeconfigReader(new ExecCredentialRuns(), null, true);
    }

    /**
     * The names under which fabric8 remembers which file a context, cluster and user came from: {@code merge}
     * resolves relative certificate, key and exec-command paths against that file's directory, and
     * {@code Config.getFile()} (token refresh, {@code refresh()}) reads it back. Private constants of
     * io.fabric8.kubernetes.client.internal.KubeConfigUtils (8.0.0, {@code parseConfig}); KubeconfigReaderTest checks
     * them through fabric8's public getters, so a rename fails the build.
     */
    static final String CONTEXT_FILE_KEY = "KUBERNETES_CONFIG_CONTEXT_FILE_KEY";
    static final String CLUSTER_FILE_KEY = "KUBERNETES_CONFIG_CLUSTER_FILE_KEY";
    static final String AUTH_INFO_FILE_KEY = "KUBERNETES_CONFIG_AUTH_INFO_FILE_KEY";

    /**
     * As {@code new KubernetesSerialization()} builds its mapper (fabric8 8.0.0), without the class-loader scan. Made
     * only for a kubeconfig {@link PlainKubeconfig} leaves to it: the mapper costs tens of milliseconds cold.
     */
    private KubernetesSerialization serialization;

    private KubernetesSerialization serialization() {
        if (serialization == null) {
            serialization = new KubernetesSerialization(
                    JsonMapper.builderWithJackson2Defaults().addModule(new Jackson2JdkTypesModule()).build(), false);
        }
        return serialization;
    }

    /**
     * {@code Config.fromKubeconfig(context, file)}: this file alone, no environment overrides but the proxy variables,
     * which kubectl reads whichever kubeconfig it was given ({@link EnvironmentProxy}).
     */
    Config fromFile(String context, File file) {
        Config config = Config.empty();
        NamedCluster cluster = merge(config, context, parse(file));
        proxyFromEnvironment(config);
        ClusterTransport.apply(config, cluster);
        return config;
    }

    /**
     * The files of a {@code KUBECONFIG} list merged as kubectl merges them (client-go's {@code ClientConfigLoadingRules}):
     * for contexts, clusters and users the first file that names one wins, and the current context is the first
     * file's that sets one ({@code context}, from --context, overrides it). No environment overrides, as
     * {@link #fromFile}. A current context no file defines is an error, as kubectl's
     * "context was not found for specified context" (fabric8 alone would fall back to a later file's).
     */
    Config fromFiles(String context, List<File> files) {
        io.fabric8.kubernetes.api.model.Config[] parsed =
                files.stream().map(this::parse).toArray(io.fabric8.kubernetes.api.model.Config[]::new);
        String current = context;
        File setBy = null;
        for (int i = 0; current == null && i < parsed.length; i++) {
            if (parsed[i].getCurrentContext() != null && !parsed[i].getCurrentContext().isEmpty()) {
                current = parsed[i].getCurrentContext();
                setBy = files.get(i);
            }
        }
        Config config = Config.empty();
        NamedCluster cluster = merge(config, current, parsed);
        if (setBy != null && (config.getCurrentContext() == null || !current.equals(config.getCurrentContext().getName()))) {
            throw new IllegalArgumentException("current-context `" + current + "` (set in " + setBy
                    + ") is not a context of any of the files");
        }
        proxyFromEnvironment(config);
        ClusterTransport.apply(config, cluster);
        return config;
    }

    /**
     * {@code Config.autoConfigure(context)}: the files of KUBECONFIG (or ~/.kube/config) merged, first file
     * first, then the system properties and environment. Without a kubeconfig file (in a pod) no kubeconfig is
     * parsed, so fabric8's own method runs unchanged.
     */
    Config autoConfigure(String context) {
        return autoConfigure(context, kubeconfigFiles());
    }

    /** {@link #autoConfigure(String)} with the kubeconfig files given: the caller's default file (its $HOME's). */
    Config autoConfigure(String context, List<File> files) {
        if (files.isEmpty()) {
            // In a pod (no kubeconfig file): the service account's server, through the environment's proxy as Go's.
            Config config = Config.autoConfigure(context);
            proxyFromEnvironment(config);
            return config;
        }
        Config config = Config.empty();
        NamedCluster cluster = merge(config, context,
                files.stream().map(this::parse).toArray(io.fabric8.kubernetes.api.model.Config[]::new));
        Config.configFromSysPropsOrEnvVars(config);
        config.setAutoConfigure(true);
        proxyFromEnvironment(config);  // the proxy as kubectl chooses it, not fabric8's reading of the same variables
        ClusterTransport.apply(config, cluster);  // after the environment: a cluster's proxy-url wins, as in client-go
        return config;
    }

    /** The environment's proxy for the config's server, before a cluster's proxy-url (which wins) is applied. */
    private void proxyFromEnvironment(Config config) {
        if (environment != null) {
            environment.apply(config);
        }
    }

    /**
     * {@link KubeConfigUtils#merge}, with the current user's exec credential plugin run by {@link ExecCredentialPlugin}
     * instead of fabric8, which reports none of its failures. Where fabric8 would run it (the user has neither an
     * auth provider nor is a token provider set), its token or client certificate is set as fabric8 sets them.
     * Returns the current context's cluster, whose transport settings the caller applies ({@link ClusterTransport}).
     */
    private NamedCluster merge(Config config, String context, io.fabric8.kubernetes.api.model.Config... parsed) {
        // The first file that names a user wins, as in merge; its exec is taken out (the model is parsed for this
        // call alone) so that fabric8 does not run the plugin too.
        Map<String, NamedAuthInfo> firstUsers = new HashMap<>();
        Map<String, ExecConfig> execs = new HashMap<>();
        for (io.fabric8.kubernetes.api.model.Config c : parsed) {
            for (NamedAuthInfo u : c.getUsers() == null ? List.<NamedAuthInfo>of() : c.getUsers()) {
                boolean first = firstUsers.putIfAbsent(u.getName(), u) == null;
                if (u.getUser() != null && u.getUser().getExec() != null) {
                    if (first) {
                        execs.put(u.getName(), u.getUser().getExec());
                    }
                    u.getUser().setExec(null);
                }
            }
        }
        KubeConfigUtils.merge(config, context, parsed);
        String user = config.getCurrentContext() == null || config.getCurrentContext().getContext() == null
                ? null : config.getCurrentContext().getContext().getUser();
        NamedAuthInfo named = user == null ? null : firstUsers.get(user);
        ExecConfig exec = named == null ? null : execs.get(user);
        if (namesOnly) {
            return null;
        }
        NamedCluster cluster = ClusterTransport.current(config, parsed);
        ClusterTransport.check(cluster);  // before the user's exec plugin runs for a cluster that is refused
        if (exec == null || config.getAuthProvider() != null || config.getOauthTokenProvider() != null) {
            return cluster;
        }
        Object file = named.getAdditionalProperties().get(AUTH_INFO_FILE_KEY);
        ExecCredentialPlugin plugin = new ExecCredentialPlugin(exec, file instanceof File f ? f : null, user,
                ExecCredentialPlugin.DEFAULT_TIMEOUT_MILLIS);
        ExecCredentialPlugin.Credential credential = execRuns.get(plugin, plugin::run);
        if (credential.token() != null) {
            config.setAutoOAuthToken(credential.token());
        } else {
            config.setClientCertData(credential.clientCertificateData());
            config.setClientKeyData(credential.clientKeyData());
        }
        return cluster;
    }

    /**
     * The files {@code Config.autoConfigure} reads: those of {@link Config#getKubeconfigFilenames} that are files
     * with content, none when {@code kubernetes.auth.tryKubeConfig} is false (fabric8 8.0.0,
     * io/fabric8/kubernetes/client/Config.java, {@code findKubeConfigFiles}: it skips a file it cannot read).
     */
    static List<File> kubeconfigFiles() {
        if (!Utils.getSystemPropertyOrEnvVar(Config.KUBERNETES_AUTH_TRYKUBECONFIG_SYSTEM_PROPERTY, true)) {
            return List.of();
        }
        return Config.getKubeconfigFilenames().stream()
                .map(File::new)
                .filter(f -> f.isFile() && f.canRead() && f.length() > 0)
                .toList();
    }

    /**
     * {@code KubeConfigUtils.parseConfig(file)}: the same model, each context, cluster and user marked with its file,
     * the same error for a file that does not parse (one without any YAML document gets a sentence instead of
     * fabric8's NullPointerException; a YAML or type error is reported by {@link KubeconfigProblem}, without quoting the
     * file). A plain kubeconfig is read by {@link PlainKubeconfig}, any other by this
     * reader's serializer.
     */
    io.fabric8.kubernetes.api.model.Config parse(File file) {
        try {
            byte[] bytes = Files.readAllBytes(file.toPath());
            io.fabric8.kubernetes.api.model.Config parsed = PlainKubeconfig.read(bytes).orElse(null);
            if (parsed == null) {
                parsed = parseWithFabric8(bytes);
            }
            if (parsed == null) {
                // A file of comments or "---" alone: fabric8 fails here with a NullPointerException's text.
                throw new KubernetesClientException(file + " (File) is not a parseable Kubernetes Config: it holds no YAML document");
            }
            if (parsed.getContexts() != null) {
                parsed.getContexts().forEach(c -> c.getAdditionalProperties().put(CONTEXT_FILE_KEY, file));
            }
            if (parsed.getClusters() != null) {
                parsed.getClusters().forEach(c -> c.getAdditionalProperties().put(CLUSTER_FILE_KEY, file));
            }
            if (parsed.getUsers() != null) {
                parsed.getUsers().forEach(u -> u.getAdditionalProperties().put(AUTH_INFO_FILE_KEY, file));
            }
            return parsed;
        } catch (IOException | RuntimeException e) {
            // A parse error is said without the parser's message, which quotes the line (a token, a key): no cause kept,
            // so that a debug stack trace does not print it either.
            throw KubeconfigProblem.of(file, e).<RuntimeException>map(d -> d)
                    .orElseGet(() -> KubernetesClientException.launderThrowable(file + " (File) is not a parseable Kubernetes Config", e));
        }
    }

    /** fabric8's parse of a kubeconfig's bytes (null for a file without a document), as {@code parseConfig} runs it. */
    io.fabric8.kubernetes.api.model.Config parseWithFabric8(byte[] bytes) throws IOException {
        try (InputStream in = new java.io.ByteArrayInputStream(bytes)) {
            return serialization().unmarshal(in, io.fabric8.kubernetes.api.model.Config.class);
        }
    }
}

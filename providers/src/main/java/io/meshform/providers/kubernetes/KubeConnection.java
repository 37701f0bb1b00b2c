package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.spi.ProviderSettings;
import java.util.List;
import java.util.Map;

/**
 * The one Kubernetes client of a {@code ProviderFactory.create} call, shared by every type. Built lazily on the
 * first request, so commands that only validate files need no cluster. Settings: {@code kubeconfig} (a file, or
 * with {@link #KUBECONFIG_FROM_ENVIRONMENT} the files of $KUBECONFIG; else KUBECONFIG or {@link #HOME_SETTING}/.kube/config), {@code context} (checked: fabric8 silently falls back to the current context
 * for an unknown name), {@code fieldManager} (default "meshform").
 */
public final class KubeConnection implements AutoCloseable {
    public static final String DEFAULT_FIELD_MANAGER = "meshform";
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";

    private final ProviderSettings settings;
    private final String fieldManager;
    private final RequestCounter counter = new RequestCounter();
    private KubernetesClient client;
    private final ClusterAnswered answered = new ClusterAnswered();
    /** Every read of the kubeconfig in this connection shares its exec plugins' outcomes: each runs once. */
    private final ExecCredentialRuns execRuns = new ExecCredentialRuns();
    private String describedAs = "";
    /** A client built by {@link #buildAhead}, its server not yet checked ({@link #reachable}); null once handed out. */
    private Prepared prepared;
    /** {@link #buildAhead} was asked and its thread has not run yet ({@link #close} calls it off). */
    private boolean aheadPending;
    /** The GOAWAY probes' answers (guarded by {@code answered}). */
    private final GoAwayProbes probes = new GoAwayProbes();

    private record Prepared(Config config, KubernetesClient client) {
    }

    public KubeConnection(ProviderSettings settings) {
        this.settings = settings;
        this.fieldManager = settings.get("fieldManager").orElse(DEFAULT_FIELD_MANAGER);
    }

    /** Around an existing client (tests, embedding); its requests are not counted. */
    public KubeConnection(KubernetesClient client, String fieldManager) {
        this(client, fieldManager, new ProviderSettings(java.util.Map.of()));
    }

    /** Around an existing client, with settings (the stack's root, what the command line allows). */
    public KubeConnection(KubernetesClient client, String fieldManager, ProviderSettings settings) {
        this.settings = settings;
        this.fieldManager = fieldManager;
        this.client = client;
        this.describedAs = "the given client at " + SafeUrls.server(String.valueOf(client.getMasterUrl()));
    }

    public String fieldManager() {
        return fieldManager;
    }

    /**
     * The field manager one stack resource applies metadata under ({@code kubernetes.namespace},
     * {@code kubernetes.labels}): each its own, so two resources on one object never remove each other's keys.
     */
    public String resourceManager(String address) {
        return fieldManager + "/" + address;
    }

    /** How the types read the files a stack names: its root and directory come with the settings. */
    public StackFiles files() {
        return StackFiles.of(settings);
    }

    public ProviderSettings settings() {
        return settings;
    }

    public RequestCounter counter() {
        return counter;
    }

    /** HTTP requests sent so far (for {@code --log-level debug} and tests). */
    public long requestCount() {
        return counter.count();
    }

    /**
     * "context kind-dev at https://127.0.0.1:16443", for messages: the server URL without the userinfo, query and
     * fragment a kubeconfig may put credentials in ({@link SafeUrls#server}).
     */
    public synchronized String describe() {
        if (describedAs.isEmpty()) {
            describedAs = describe(kubeconfig());
        }
        return describedAs;
    }

    private static String describe(Config config) {
        return "context " + (config.getCurrentContext() == null ? "(none)" : config.getCurrentContext().getName())
                + " at " + SafeUrls.server(config.getMasterUrl());
    }

    /**
     * {@link KubeErrors#explain}, naming the cluster when it did not answer: with several kubeconfigs and contexts
     * about, "which server?" is the first thing to check. Once the server has answered this client 401
     * ({@link ClusterAnswered}), a request refused, not sent for that ({@link CredentialsRefused}) or left without an
     * answer on the connection the server then closed is reported as the refused credentials it is, naming the
     * kubeconfig user, its file and what to do ({@link RefusedCredentials#advice}). A GOAWAY is where JDK 17's HTTP/2
     * client lost the 401, before the server's first answer (a wrong token) or after it (a token that expired or was
     * revoked mid-run): one HTTP/1.1 request reads it ({@link #overHttp11}).
     */
    public io.meshform.engine.diag.DiagnosticsException explain(String address, String verb, String what,
                                                               io.fabric8.kubernetes.client.KubernetesClientException e) {
        boolean lost = !KubeErrors.answered(e) || KubeErrors.code(e) == 401;
        RefusedCredentials.Answer probed = lost && !answered.credentialsRefused() && KubeErrors.goAway(e)
                ? overHttp11() : RefusedCredentials.Answer.NONE;
        if (lost && (answered.credentialsRefused() || probed.code() == 401)) {
            KubernetesClient c = built();
            String advice = c == null ? describe()
                    : RefusedCredentials.advice(c.getConfiguration(), execRuns, java.time.Instant.now());
            return new io.meshform.engine.diag.DiagnosticsException(io.meshform.engine.diag.Diagnostic.error(
                    address + ": " + verb + " " + what + ": the API server refused the credentials of " + describe()
                            + " (HTTP 401 Unauthorized)",
                    "(hint: " + advice
                            // the held requests are dropped only before a first answer (FirstRequestGate)
                            + (answered.hasAnswered() ? "" : ". Requests after the refused one are not sent")
                            + (KubeErrors.answered(e) && !(e instanceof CredentialsRefused)
                                    ? ". The server said: " + KubeErrors.serverSays(e) : "") + ")", null));
        }
        KubernetesClient built = built();
        String forbidden = KubeErrors.code(e) == 403 ? KubeErrors.serverSays(e) : probed.code() == 403 ? probed.message() : null;
        if (built != null && forbidden != null) {
            var notOffered = RefusedCredentials.anonymousRequest(built.getConfiguration(), execRuns,
                    address + ": " + verb + " " + what, describe(), forbidden);
            if (notOffered.isPresent()) {
                return notOffered.get();
            }
        }
        io.meshform.engine.diag.DiagnosticsException d = KubeErrors.explain(address, verb, what, e);
        if (KubeErrors.answered(e)) {
            return d;
        }
        io.meshform.engine.diag.Diagnostic first = d.diagnostics().get(0);
        return new io.meshform.engine.diag.DiagnosticsException(io.meshform.engine.diag.Diagnostic.error(
                first.summary() + " (" + describe() + ")", first.detail(), first.range()));
    }

    /** The client, if {@link #client()} has built it. */
    private synchronized KubernetesClient built() {
        return client;
    }

    /** The answer to one HTTP/1.1 request with this client's credentials, when {@link GoAwayProbes} asks for one. */
    private RefusedCredentials.Answer overHttp11() {
        synchronized (answered) {
            return probes.answer(answered.hasAnswered(), () -> {
                KubernetesClient c = built();
                return c == null ? RefusedCredentials.Answer.NONE : RefusedCredentials.probe(() -> build(
                        c.getConfiguration(), counter, new FirstRequestGate(0), answered, () -> c.getConfiguration(), true));
            });
        }
    }

    /**
     * Happens once the API server has answered a request of this connection's client with its credentials
     * ({@link ClusterAnswered}): what may run beside a plan's reads but must not start against a cluster that does not
     * answer (istioctl analyze) waits for it. Never, for a connection around a client built elsewhere.
     */
    public java.util.concurrent.CompletionStage<Void> answered() {
        return answered.event();
    }

    /**
     * Starts building the client on a thread of its own (the kubeconfig, the client key, the TLS context), beside work
     * that does not need it yet: a plan's stack load. The build ran on the plan's path between the load and the first
     * request (BENCHMARKS.md, issue 18, 2026-12-02 night: n1000). Nothing is sent and nothing is connected to: the
     * server's reachability check stays with the first {@link #client()}, so a command refused on its inputs still
     * touches no cluster. A build that fails is dropped; the first {@link #client()} builds again and reports it.
     */
    public synchronized void buildAhead() {
        if (client == null && prepared == null && !aheadPending) {
            aheadPending = true;
            Thread t = new Thread(this::prepareAhead, "kube-client-ahead");
            t.setDaemon(true);  // never keeps a finished (or failed) run alive
            t.start();
        }
    }

    private synchronized void prepareAhead() {
        if (!aheadPending || client != null) {
            return;  // closed before this thread ran, or built meanwhile: build nothing nobody closes
        }
        aheadPending = false;
        try {
            Config config = configured();
            prepared = new Prepared(config, newClient(config));
        } catch (RuntimeException e) {
            // the first client() meets it again on its own thread and reports it (an exec plugin's failure as
            // remembered, not run again: ExecCredentialRuns)
        }
    }

    public synchronized KubernetesClient client() {
        if (client == null) {
            Config config = prepared != null ? prepared.config() : configured();
            reachable(config, describedAs);  // before the first request, at every call until the server is reached
            client = prepared != null ? prepared.client() : newClient(config);
            prepared = null;
        }
        return client;
    }

    private Config configured() {
        Config config = kubeconfig();
        // fabric8 retries 5xx answers 10 times with exponential backoff (about 20 s); the API server answers
        // some plain user errors (an unknown field in a server-side apply) with 500, so keep retries short.
        int retries = Integer.parseInt(settings.get("requestRetries").orElse("3"));
        // Until the server has answered once, a failed request is retried once only. A wrong token is the common
        // case: kube-apiserver answers 401 and closes the HTTP/2 connection (GOAWAY; k8s.io/apiserver 0.36,
        // pkg/endpoints/filters/authentication.go, Unauthorized), and JDK 17's client fails the request with
        // an IOException instead of reading the 401, which fabric8 retries (StandardHttpClient.shouldRetry); each
        // retry met the same, so the user waited 0.7 s of pauses and four TLS handshakes per read for "GOAWAY".
        // fabric8 reads the limit from this live RequestConfig when a request starts (ExponentialBackoffIntervalCalculator.from),
        // so requests started after the first answer get the full count.
        config.setRequestRetryBackoffLimit(Math.min(retries, RETRIES_BEFORE_AN_ANSWER));
        answered.event().thenRun(() -> config.setRequestRetryBackoffLimit(retries));
        describedAs = describe(config);
        return config;
    }

    private KubernetesClient newClient(Config config) {
        // On a 401 the interceptor re-reads the kubeconfig while config still holds the refused token: an exec
        // plugin's credential with that token is forgotten first, so the plugin is asked for a fresh one.
        return build(config, counter, new FirstRequestGate(firstRequestWaitMillis(config), () -> { },
                answered::credentialsRefused), answered, () -> {
                    execRuns.forgetToken(config.getAutoOAuthToken());
                    return kubeconfig();
                });
    }

    /**
     * The client, trusting the kubeconfig's CA alone when it names one ({@link KubeconfigTrust}). fabric8 parses
     * the JDK's whole {@code cacerts} while it builds the client unless told to trust everything; so the build runs
     * with {@code trustCerts} set, and the builder's trust managers are replaced by the CA's before the client
     * exists (only fabric8's SSLUtils reads that flag, and the config gets its own value back at once).
     */
    static KubernetesClient build(Config config, RequestCounter counter, FirstRequestGate gate, ClusterAnswered answered) {
        return build(config, counter, gate, answered, null);
    }

    /** With {@code reread} (the settings' kubeconfig read again), a 401 is answered by {@link KubeconfigTokenRefresh}. */
    static KubernetesClient build(Config config, RequestCounter counter, FirstRequestGate gate, ClusterAnswered answered,
                                  java.util.function.Supplier<Config> reread) {
        return build(config, counter, gate, answered, reread, false);
    }

    /** With {@code http11}, a client that speaks HTTP/1.1 only ({@link RefusedCredentials#probe}). */
    static KubernetesClient build(Config config, RequestCounter counter, FirstRequestGate gate, ClusterAnswered answered,
                                  java.util.function.Supplier<Config> reread, boolean http11) {
        KubeconfigTokenRefresh refresh = reread == null ? null : KubeconfigTokenRefresh.of(config, reread);
        java.util.Optional<javax.net.ssl.TrustManager[]> trust = KubeconfigTrust.of(config);
        boolean trustCerts = config.isTrustCerts();
        if (trust.isPresent()) {
            config.setTrustCerts(true);
        }
        try {
            return new KubernetesClientBuilder()
                    .withConfig(config)
                    .withHttpClientBuilderConsumer(b -> {
                        if (refresh != null) {
                            // fabric8 has put its own under this name (HttpClientUtils.createApplicableInterceptors).
                            b.addOrReplaceInterceptor(io.fabric8.kubernetes.client.utils.TokenRefreshInterceptor.NAME, refresh);
                        }
                        b.addOrReplaceInterceptor("meshform-count", counter);
                        // Before the gate: a 401 is recorded before the requests the gate holds are let go.
                        b.addOrReplaceInterceptor("meshform-answered", answered);
                        b.addOrReplaceInterceptor("meshform-first-request", gate);
                        trust.ifPresent(t -> KubeconfigTrust.install(b, t));
                        if (http11) {
                            b.preferHttp11();
                        }
                    })
                    .build();
        } finally {
            config.setTrustCerts(trustCerts);
        }
    }

    /**
     * How long the other requests wait for the first one's answer: long enough for a TLS handshake and a small
     * answer on a slow link (a few round trips), short enough that a slow API server adds little to a plan: 2 s,
     * or the connect timeout when that is shorter.
     */
    static long firstRequestWaitMillis(Config config) {
        Integer timeout = config.getConnectionTimeout();
        return timeout != null && timeout > 0 ? Math.min(timeout, FIRST_REQUEST_WAIT_MILLIS) : FIRST_REQUEST_WAIT_MILLIS;
    }

    static final long FIRST_REQUEST_WAIT_MILLIS = 2_000;

    /** Retries of a request started before the server's first answer (a blip, or a 429's Retry-After, gets one). */
    static final int RETRIES_BEFORE_AN_ANSWER = 1;

    /**
     * An API server nothing listens for is reported at once. Without this check fabric8 retries a refused
     * connection {@code requestRetries} times with growing pauses, for each of the plan's parallel reads, and the
     * user waits seconds for "no answer". One TCP connection (closed at once) costs a round trip. Through a proxy
     * the proxy answers: the proxy is checked instead ({@link ClusterTransport#throughProxy}).
     */
    static void reachable(Config config, String describedAs) {
        if (ClusterTransport.throughProxy(config, describedAs)) {
            return;
        }
        java.net.URI uri;
        try {
            uri = java.net.URI.create(config.getMasterUrl());
        } catch (IllegalArgumentException e) {
            throw fail("the API server address " + SafeUrls.server(config.getMasterUrl()) + " is not a URL: "
                            + SafeUrls.scrub(e.getMessage()),
                    "fix the cluster's server field in the kubeconfig");
        }
        if (uri.getHost() == null) {
            return;
        }
        int port = uri.getPort() != -1 ? uri.getPort() : "http".equals(uri.getScheme()) ? 80 : 443;
        int timeout = config.getConnectionTimeout() > 0 ? Math.min(config.getConnectionTimeout(), 10_000) : 10_000;
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(uri.getHost(), port), timeout);
        } catch (java.net.UnknownHostException e) {
            throw fail("cannot reach the Kubernetes API server (" + describedAs + "): unknown host " + uri.getHost(),
                    "check the server address in the kubeconfig, or pick another context with --context");
        } catch (java.io.IOException e) {
            throw fail("cannot reach the Kubernetes API server (" + describedAs + "): " + SafeUrls.scrub(e.getMessage()),
                    "is the cluster running, and is this the right kubeconfig and context? Nothing was sent to it");
        }
    }

    /** Every context the kubeconfig (from the same settings) defines, sorted: what --all-contexts runs on. */
    public static List<String> contextNames(ProviderSettings settings) {
        Map<String, String> withoutContext = new java.util.HashMap<>(settings.values());
        withoutContext.remove("context");
        Config config = KubeconfigSource.readNames(new ProviderSettings(withoutContext));
        return config.getContexts() == null ? List.of()
                : config.getContexts().stream().map(NamedContext::getName).sorted().toList();
    }

    /**
     * The setting that says the {@code kubeconfig} setting is the value of {@code $KUBECONFIG} ("true"): a list of
     * files, separated by ':', merged as kubectl merges them, and named so in errors. Otherwise it is one file
     * (--kubeconfig).
     */
    public static final String KUBECONFIG_FROM_ENVIRONMENT = "kubeconfigFromEnvironment";

    /**
     * The user's home directory, whose {@code .kube/config} is the default kubeconfig: the caller's {@code $HOME}, as
     * kubectl reads it (client-go {@code util/homedir.HomeDir()} returns $HOME on Linux and macOS, existing or not).
     * Without it, the JVM's {@code user.home}, which comes from the password database and ignores $HOME.
     */
    public static final String HOME_SETTING = "home";

    /** The proxy variables a caller that gives {@link #HOME_SETTING} gives too, each under {@link #PROXY_SETTING_PREFIX}. */
    public static final java.util.List<String> PROXY_VARIABLES = EnvironmentProxy.VARIABLES;

    /** The prefix of those settings' keys. */
    public static final String PROXY_SETTING_PREFIX = KubeconfigSource.PROXY_SETTING_PREFIX;

    /** Whether the kubeconfig setting is the value of $KUBECONFIG (a list), not --kubeconfig's file. */
    public static boolean kubeconfigFromEnvironment(ProviderSettings settings) {
        return settings.get(KUBECONFIG_FROM_ENVIRONMENT).map(Boolean::parseBoolean).orElse(false);
    }

    /** The kubeconfig the settings name, with the context checked ({@link KubeconfigSource}). */
    static Config config(ProviderSettings settings) {
        return KubeconfigSource.read(settings);
    }

    /** {@link #config}, with this connection's exec plugins run once ({@link ExecCredentialRuns}). */
    private Config kubeconfig() {
        return KubeconfigSource.read(settings, execRuns);
    }

    private static DiagnosticsException fail(String summary, String detail) {
        return new DiagnosticsException(Diagnostic.error(summary, detail, null));
    }

    @Override
    public synchronized void close() {
        aheadPending = false;
        if (prepared != null) {
            prepared.client().close();
            prepared = null;
        }
        if (client != null) {
            client.close();
            client = null;
        }
    }
}

package io.meshform.providers.istio.checks;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.SortedCopies;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.engine.spi.StackContext;
import io.meshform.providers.istio.injection.InjectorRead;
import io.meshform.providers.istio.injection.LivePod;
import io.meshform.providers.istio.policy.ConfigRevision;
import io.meshform.providers.istio.policy.PeerPolicy;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.ManagedFields;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.providers.kubernetes.KubeTime;
import io.meshform.providers.kubernetes.RawReads;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;

/**
 * {@link ClusterView} read through the Kubernetes client, each kind on first use and once per run. One instance
 * serves the checks of one run: {@link Runs#of} hands out the same view while the engine passes the same
 * {@link CheckContext} (it makes one per plan or drift), and a fresh one for the next run, so nothing read for one
 * plan is trusted by the next. A new view starts all its reads at once ({@link #prefetch}). Pods, Services, Namespaces, the mesh ConfigMap and istiod's Deployment are read as
 * JSON ({@link RawReads}): the checks use a few fields of each.
 */
final class LiveCluster implements ClusterView {
    /** Reads at a time when a view starts: as many as the plan's own reads run (ParallelLists), for the same reason. */
    static final int PREFETCH_THREADS = 8;
    private static final java.util.regex.Pattern DNS_LABEL = java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private final KubeConnection kube;
    private final Once<List<LivePod>> pods;
    private final Once<Namespaces> namespaces;
    private final Once<List<PeerPolicy>> peers;
    private final Once<Optional<String>> meshConfig;
    private final Once<List<JsonNode>> allServices;
    private final Once<List<io.meshform.providers.istio.policy.DestinationPolicy>> rules;
    private final Once<List<JsonNode>> authorizationPolicies;
    private final Once<List<JsonNode>> envoyFilters;
    private final Once<List<JsonNode>> gateways;
    /** The istiod Deployments of the Istio namespace (label app=istiod), one per revision. */
    private final Once<List<JsonNode>> controlPlane;
    /** The {@code istio.io/rev} labels of the live PeerAuthentications, filled by their read ({@link #peers}). */
    private final Map<String, String> peerRevisions = new java.util.concurrent.ConcurrentHashMap<>();
    /** The same for the live DestinationRules ({@link #rules}). */
    private final Map<String, String> ruleRevisions = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * The run's read ({@link InjectorRead#once}): the labels resources' plans and these checks read the webhooks and
     * each revision's ConfigMap once between them. Not prefetched: a check that needs them asks (the mTLS model, the
     * injection checks), and so does {@link #unread}, which must say whether the LIST was refused.
     */
    private final Once<io.meshform.providers.istio.injection.Injectors> injectors;
    private final Map<String, Lookup<JsonNode>> services = new HashMap<>();
    /** The mesh config of each revision but the default one, by revision, read when a check first asks. */
    private final Map<String, Lookup<String>> revisionMeshConfigs = new HashMap<>();
    /** The reads the cluster refused or failed, by what they read ("pods": "HTTP 403 Forbidden ..."), in order. */
    private final Map<String, String> unread = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>());
    /**
     * Why the injectors could not be read, apart from {@link #unread}: {@link #unread()} starts their read before it
     * waits for the others, yet says them last, where they were said when their read followed the others.
     */
    private final Map<String, String> injectorsUnread = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>());
    /** Whether {@link #unread()} has started the injectors' read on a thread of its own (once per view). */
    private final java.util.concurrent.atomic.AtomicBoolean injectorsAhead = new java.util.concurrent.atomic.AtomicBoolean();

    /** A view of its own: it shares no read with the resource types. */
    LiveCluster(KubeConnection kube) {
        this(kube, null);
    }

    /** @param run the run's context, whose reads the view shares with the run's resource types; null: none */
    LiveCluster(KubeConnection kube, StackContext run) {
        this.kube = kube;
        StackContext reads = run == null ? StackContext.detached() : run;
        this.pods = new Once<>(() -> orElse("pods", () -> RawReads.list(kube.client(), "/api/v1/pods").stream().map(LivePod::of).toList(),
                List.of()));
        this.namespaces = new Once<>(() -> orElse("namespaces", this::readNamespaces, new Namespaces(Map.of(), Map.of())));
        this.peers = new Once<>(() -> orElse("peerauthentications.security.istio.io", () -> listTimed(CheckSupport.PEER_AUTHENTICATION_CONTEXT, PeerPolicy::of,
                peerRevisions), List.of()));
        this.meshConfig = new Once<>(() -> orElse("the " + Mesh.ISTIO_NAMESPACE + "/" + Mesh.MESH_CONFIG_MAP + " ConfigMap", this::readMeshConfig, Optional.empty()));
        this.allServices = new Once<>(() -> orElse("services", () -> RawReads.list(kube.client(), "/api/v1/services"), List.of()));
        this.rules = new Once<>(() -> orElse("destinationrules.networking.istio.io", () -> listTimed(CheckSupport.DESTINATION_RULE_CONTEXT,
                io.meshform.providers.istio.policy.DestinationPolicy::of, ruleRevisions), List.of()));
        this.authorizationPolicies = new Once<>(() -> orElse("authorizationpolicies.security.istio.io", this::readAuthorizationPolicies, List.of()));
        this.envoyFilters = new Once<>(() -> orElse("envoyfilters.networking.istio.io",
                () -> listEverywhere(CheckSupport.ENVOY_FILTER_CONTEXT), List.of()));
        this.gateways = new Once<>(() -> orElse("gateways.gateway.networking.k8s.io",
                () -> listEverywhere(CheckSupport.GATEWAY_CONTEXT), List.of()));
        // Every revision's istiod, not the first one alone: ControlPlaneAvailable judges the install's own.
        this.controlPlane = new Once<>(() -> orElse("deployments in " + Mesh.ISTIO_NAMESPACE, () -> RawReads.list(kube.client(),
                RawReads.withLabel("/apis/apps/v1/namespaces/" + Mesh.ISTIO_NAMESPACE + "/deployments", "app", "istiod")), List.of()));
        // As every other read: a cluster the run cannot reach (no kubeconfig, a test double) leaves the injectors unknown,
        // and a refused LIST is said (it gave "no warning" before: the injectors silently unknown).
        this.injectors = new Once<>(() -> orElse(InjectorRead.WEBHOOKS, () -> {
            InjectorRead read = InjectorRead.once(reads, kube::client);
            if (read.refused() != null) {
                injectorsUnread.put(InjectorRead.WEBHOOKS, read.refused());
            }
            return read.injectors();
        }, io.meshform.providers.istio.injection.Injectors.UNKNOWN, injectorsUnread));
    }

    @Override
    public io.meshform.providers.istio.injection.Injectors injectors() {
        return injectors.get();
    }

    /**
     * Starts every read of the view at once, a few at a time, on daemon threads of their own. The checks run one
     * after another on a few threads and each asks for two or three kinds in turn; read lazily, each LIST waited for
     * the one before it (pods, then Services, then DestinationRules...), about a round trip and a parse each on the
     * checks' critical path. A check asking for a kind whose read is under way waits for that read, not a second one.
     */
    void prefetch() {
        // EnvoyFilters and Gateways last: only the ingress and token checks ask for them, and they wait for a free thread.
        List<Once<?>> all = List.of(peers, namespaces, pods, allServices, meshConfig, rules, authorizationPolicies, controlPlane, envoyFilters,
                gateways);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(PREFETCH_THREADS, r -> {
            Thread t = new Thread(r, "meshform-check-read");
            t.setDaemon(true);
            return t;
        });
        all.forEach(o -> pool.execute(o::run));
        pool.shutdown(); // the threads end with the last read
    }

    /**
     * A value read at most once, by whoever asks first (or the prefetch); whoever asks meanwhile waits for that read.
     * The reads never throw (they fall back to "nothing seen"), so a failed read is remembered like any other answer.
     */
    static final class Once<T> {
        private final java.util.concurrent.FutureTask<T> task;

        Once(java.util.concurrent.Callable<T> read) {
            this.task = new java.util.concurrent.FutureTask<>(read);
        }

        /** Runs the read unless it ran or runs already (FutureTask.run does nothing then). */
        void run() {
            task.run();
        }

        T get() {
            task.run();
            try {
                return task.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("the mesh checks were interrupted while reading the cluster", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            }
        }
    }

    /** The view of the current run: a new one whenever the engine starts checks with another context. */
    static final class Runs {
        private final KubeConnection kube;
        private CheckContext current;
        private ClusterView view;

        Runs(KubeConnection kube) {
            this.kube = kube;
        }

        synchronized ClusterView of(CheckContext ctx) {
            if (ctx != current) {
                current = ctx;
                LiveCluster live = new LiveCluster(kube, ctx.run());
                live.prefetch();
                view = live;
            }
            return view;
        }
    }

    /**
     * The read, or {@code fallback} when there is nothing to read: no cluster to ask (no kubeconfig: the resource types
     * say so when they need one) or the kind's API is not served (404: Istio's CRDs are not installed yet, so there are
     * none of them). Any other failure (401, 403, 5xx, a broken connection) is not "none": the fallback stands in so the
     * other checks can run, and {@link #unread} reports what could not be read, so no check's silence is taken for a
     * clean cluster (a drift that could not list PeerAuthentications said "No drift" and exited 0).
     */
    private <T> T orElse(String what, Supplier<T> read, T fallback) {
        return orElse(what, read, fallback, unread);
    }

    /** {@link #orElse(String, Supplier, Object)}, saying a failure in {@code failures}. */
    private static <T> T orElse(String what, Supplier<T> read, T fallback, Map<String, String> failures) {
        try {
            return read.get();
        } catch (KubernetesClientException e) {
            if (e.getCode() != java.net.HttpURLConnection.HTTP_NOT_FOUND) {
                failures.put(what, refusal(e));
            }
            return fallback;
        } catch (io.meshform.engine.diag.DiagnosticsException e) {
            return fallback;
        }
    }

    private static String refusal(KubernetesClientException e) {
        if (e.getCode() == java.net.HttpURLConnection.HTTP_FORBIDDEN) {
            return "forbidden (HTTP 403)";
        }
        if (e.getCode() == java.net.HttpURLConnection.HTTP_UNAUTHORIZED) {
            return "the credentials were refused (HTTP 401)";
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
        return e.getCode() > 0 ? "HTTP " + e.getCode() + ": " + message : message;
    }

    /**
     * Waits for every read of the view, then says which failed ({@link #orElse}). The injectors are among them: a
     * refused LIST of the webhooks is said whether or not a check asked before this did (a run that reads nothing else
     * of them pays one LIST for it; most runs read them anyway, for the mTLS model or a labels plan).
     *
     * <p>Their read (a LIST, then one GET and a parse of each revision's ConfigMap) starts first, on a thread of its
     * own, beside the prefetched reads: this check runs in every plan and drift, and it started the injectors' read
     * only once the prefetched reads had ended, two round trips after them on the run's critical path (drift at N=100:
     * the webhook LIST went out about 0.9 s after the prefetched LISTs; BENCHMARKS.md, 2026-12-04 afternoon). They are
     * still said after the others, as before.
     */
    @Override
    public Map<String, String> unread() {
        if (injectorsAhead.compareAndSet(false, true)) {
            Thread ahead = new Thread(injectors::run, "meshform-check-read");
            ahead.setDaemon(true);
            ahead.start();
        }
        List.of(peers, namespaces, pods, allServices, meshConfig, rules, authorizationPolicies, envoyFilters, gateways, controlPlane,
                injectors).forEach(Once::get);
        Map<String, String> out;
        synchronized (unread) {
            out = new java.util.LinkedHashMap<>(unread);
        }
        synchronized (injectorsUnread) {
            out.putAll(injectorsUnread);
        }
        return out;
    }

    @Override
    public List<LivePod> pods() {
        return pods.get();
    }

    @Override
    public Map<String, Map<String, String>> namespaces() {
        return namespaces.get().labels();
    }

    @Override
    public java.util.Set<String> labelsOwnedOnlyBy(String namespace, String address) {
        ManagedFields owners = namespaces.get().labelOwners().getOrDefault(namespace, ManagedFields.NONE);
        String manager = kube.resourceManager(address);
        java.util.Set<String> out = new java.util.TreeSet<>(owners.keysOf(manager));
        out.removeIf(k -> !owners.owners(k).equals(java.util.Set.of(manager)));
        return out;
    }

    /** The labels of every namespace and who owns each label key, from one LIST. */
    private record Namespaces(Map<String, Map<String, String>> labels, Map<String, ManagedFields> labelOwners) {
    }

    private Namespaces readNamespaces() {
        // Sorted (Map.copyOf's order is randomised per JVM): checks that iterate it report in one order every run.
        Map<String, Map<String, String>> out = new java.util.TreeMap<>();
        Map<String, ManagedFields> owners = new HashMap<>();
        for (JsonNode ns : RawReads.list(kube.client(), "/api/v1/namespaces")) {
            String name = Json.text(ns.path("metadata"), "name");
            out.put(name, SortedCopies.of(Json.stringMap(ns.path("metadata").get("labels"))));
            owners.put(name, ManagedFields.of(ns, "metadata", "labels"));
        }
        return new Namespaces(out, owners);
    }

    @Override
    public List<PeerPolicy> peerAuthentications() {
        return peers.get();
    }

    @Override
    public Map<String, String> peerAuthenticationRevisions() {
        peers.get();
        return java.util.Collections.unmodifiableMap(peerRevisions);
    }

    @Override
    public Map<String, String> destinationRuleRevisions() {
        rules.get();
        return java.util.Collections.unmodifiableMap(ruleRevisions);
    }

    @Override
    public List<JsonNode> services() {
        return allServices.get();
    }

    @Override
    public List<io.meshform.providers.istio.policy.DestinationPolicy> destinationRules() {
        return rules.get();
    }

    @Override
    public List<JsonNode> authorizationPolicies() {
        return authorizationPolicies.get();
    }

    @Override
    public List<JsonNode> envoyFilters() {
        return envoyFilters.get();
    }

    @Override
    public List<JsonNode> gateways() {
        return gateways.get();
    }

    private List<JsonNode> readAuthorizationPolicies() {
        return listEverywhere(CheckSupport.AUTHORIZATION_POLICY_CONTEXT);
    }

    /** How a policy record is made from an object's identity, age and spec (its origin is the live cluster: null). */
    private interface TimedPolicy<T> {
        T of(String namespace, String name, Instant created, tools.jackson.databind.JsonNode spec, String origin);
    }

    /** Every object of the kind in every namespace (one LIST), as policy records with their creation times. */
    private <T> List<T> listTimed(io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext kind, TimedPolicy<T> make,
                                  Map<String, String> revisions) {
        List<T> out = new ArrayList<>();
        for (JsonNode r : listEverywhere(kind)) {
            JsonNode md = r.path("metadata");
            String rev = ConfigRevision.of(r);
            if (rev != null) {
                revisions.put(Json.text(md, "namespace") + "/" + Json.text(md, "name"), rev);
            }
            String ts = Json.text(md, "creationTimestamp");
            out.add(make.of(Json.text(md, "namespace"), Json.text(md, "name"), ts == null ? null : KubeTime.parse(ts),
                    r.path("spec"), null));
        }
        return out;
    }

    /** One LIST of the kind in every namespace, as JSON trees parsed once from the answer. */
    private List<JsonNode> listEverywhere(io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext kind) {
        return RawReads.items(kube.client(), kube.client().genericKubernetesResources(kind).inAnyNamespace(),
                kind.getGroup() + "/" + kind.getVersion(), kind.getKind(), null);
    }

    @Override
    public Optional<String> meshConfig() {
        return meshConfig.get();
    }

    /**
     * The default revision's from the prefetched GET; another's with a GET of its own when first asked (not prefetched:
     * a plan without a canary, or whose canary the stack declares, has no use for it). One GET per revision rather
     * than one LIST of the namespace's ConfigMaps: that LIST would carry every revision's istio-sidecar-injector
     * ConfigMap too, about 105 KB each against 1.3 KB for the mesh ConfigMap (1.30.3, profile default, on the dev
     * cluster). A revision that cannot be in a ConfigMap's name (it comes from a pod's annotation) is answered "absent"
     * without a request, as {@link #service} does.
     */
    @Override
    public synchronized Lookup<String> meshConfig(String revision) {
        String name = Mesh.meshConfigMap(revision);
        if (name.equals(Mesh.MESH_CONFIG_MAP)) {
            return new Lookup<>(true, meshConfig().orElse(null));
        }
        if (name.length() > 253 || !CONFIG_MAP_NAME.matcher(name).matches()) {
            return new Lookup<>(true, null);
        }
        return revisionMeshConfigs.computeIfAbsent(name, k -> {
            Lookup<JsonNode> cm = lookup(() -> new Lookup<>(true,
                    RawReads.get(kube.client(), "/api/v1/namespaces/" + Mesh.ISTIO_NAMESPACE + "/configmaps/" + name)));
            return !cm.known() ? Lookup.unknown()
                    : new Lookup<>(true, cm.value() == null ? null : Json.text(cm.value().path("data"), Mesh.MESH_CONFIG_KEY));
        });
    }

    private static final java.util.regex.Pattern CONFIG_MAP_NAME = java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");

    private Optional<String> readMeshConfig() {
        JsonNode cm = RawReads.get(kube.client(), "/api/v1/namespaces/" + Mesh.ISTIO_NAMESPACE + "/configmaps/" + Mesh.MESH_CONFIG_MAP);
        return cm == null ? Optional.empty() : Optional.ofNullable(Json.text(cm.path("data"), Mesh.MESH_CONFIG_KEY));
    }

    /**
     * One GET per Service asked for. The names go into the request's path as they are, so anything but a DNS label
     * (which every namespace and Service name is) is answered "absent" without a request: no such Service can exist,
     * and a name like "../secrets/x" must not reach another path of the API.
     */
    @Override
    public synchronized Lookup<JsonNode> service(String namespace, String name) {
        if (!DNS_LABEL.matcher(namespace).matches() || !DNS_LABEL.matcher(name).matches()) {
            return new Lookup<>(true, null);
        }
        return services.computeIfAbsent(namespace + "/" + name, k -> lookup(
                () -> new Lookup<>(true, RawReads.get(kube.client(), "/api/v1/namespaces/" + namespace + "/services/" + name))));
    }

    /** A GET whose failure its checks report themselves ("not judged"), as {@link Lookup#unknown()}. */
    private static Lookup<JsonNode> lookup(Supplier<Lookup<JsonNode>> read) {
        try {
            return read.get();
        } catch (KubernetesClientException | io.meshform.engine.diag.DiagnosticsException e) {
            return Lookup.unknown();
        }
    }

    @Override
    public boolean controlPlane() {
        return !controlPlane.get().isEmpty();
    }

    @Override
    public List<JsonNode> istiodDeployments() {
        return controlPlane.get();
    }
}

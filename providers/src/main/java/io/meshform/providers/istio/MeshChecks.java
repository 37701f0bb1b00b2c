package io.meshform.providers.istio;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.SourceRange;
import io.meshform.engine.model.Environment;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.PlanCheck;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.KubeConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/** The mesh safety checks: things the API server accepts silently but that break or weaken the mesh. */
public final class MeshChecks {
    public static final String ROOT_NAMESPACE = "istio-system";
    static final String PEER = "istio.peerAuthentication";
    static final String AUTHZ = "istio.authorizationPolicy";
    static final String TELEMETRY = "istio.telemetry";
    static final String LABELS = "kubernetes.labels";
    static final String NAMESPACE = "kubernetes.namespace";

    /**
     * Workloads of the Cortex guide that cannot speak mTLS, by the labels their packaged charts give them: MongoDB,
     * Redis and MinIO (the guide's own words), MinIO's bucket job and the Spark driver and executors.
     */
    static final List<Map<String, String>> NON_MTLS_WORKLOADS = List.of(
            Map.of("app.kubernetes.io/name", "mongodb"),
            Map.of("app.kubernetes.io/name", "redis"),
            Map.of("app", "redis"),
            Map.of("app.kubernetes.io/name", "minio"),
            Map.of("app", "minio"),
            Map.of("app", "minio-job"),
            Map.of("spark-role", "driver"),
            Map.of("spark-role", "executor"));

    private MeshChecks() {
    }

    public static List<PlanCheck> all(KubeConnection kube) {
        return List.of(
                offline("selector-in-root-namespace", MeshChecks::selectorInRootNamespace),
                check("strict-without-exceptions", ctx -> strictWithoutExceptions(ctx, new NonMtlsPods(kube)::matching)),
                offline("custom-provider-declared", MeshChecks::customProviderDeclared),
                offline("tracing-provider-declared", MeshChecks::tracingProviderDeclared),
                offline("injection-label-and-revision", MeshChecks::injectionAndRevision),
                check("injection-without-sidecars", ctx -> InjectionCheck.check(ctx, new InjectionCheck.Live() {
                    @Override
                    public Map<String, Map<String, String>> namespaceLabels() {
                        return InjectionCheck.namespaceLabels(kube);
                    }

                    @Override
                    public List<Pod> pods(String namespace) {
                        return InjectionCheck.pods(kube, namespace);
                    }
                })),
                offline("production-addons", MeshChecks::productionAddons),
                offline("auth-proxy-redirect", MeshChecks::authProxyRisks),
                check("authorization-selects-nothing", ctx -> policiesSelectingNothing(ctx, new SelectorPods(kube))),
                check("proxy-version-skew", ctx -> ProxySkew.check(ctx, () -> ProxySkew.injectedPods(kube))),
                check("unmanaged-weaker-mtls", ctx -> unmanagedWeakerMtls(ctx, ns -> peerAuthentications(kube, ns))));
    }

    static PlanCheck check(String name, Function<CheckContext, List<Diagnostic>> body) {
        return check(name, true, body);
    }

    /** A check of the stack alone: validate runs it too. */
    static PlanCheck offline(String name, Function<CheckContext, List<Diagnostic>> body) {
        return check(name, false, body);
    }

    static PlanCheck check(String name, boolean needsCluster, Function<CheckContext, List<Diagnostic>> body) {
        return new PlanCheck() {
            @Override
            public boolean needsCluster() {
                return needsCluster;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public List<Diagnostic> check(CheckContext context) {
                return body.apply(context);
            }
        };
    }

    static JsonNode after(CheckContext ctx, ResourceDecl d) {
        JsonNode a = ctx.after().get(d.address());
        return a != null ? a : d.spec();
    }

    static SourceRange range(ResourceDecl d, String pointer) {
        try {
            return d.source().range(pointer);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** (a) A selector on a PeerAuthentication in the root namespace: Istio ignores it for sidecars. */
    static List<Diagnostic> selectorInRootNamespace(CheckContext ctx) {
        List<Diagnostic> out = new ArrayList<>();
        for (ResourceDecl d : ctx.declared(PEER)) {
            JsonNode s = after(ctx, d);
            if (ROOT_NAMESPACE.equals(Json.text(s, "namespace")) && s.has("selector") && !s.get("selector").isNull()) {
                out.add(Diagnostic.warning(d.address() + ": a PeerAuthentication with a selector in the root namespace "
                                + ROOT_NAMESPACE + " does not apply to sidecars",
                        "Istio reads root-namespace PeerAuthentications as mesh-wide policy only without a selector;"
                                + " move it to the workloads' namespace", range(d, "/spec/selector")));
            }
        }
        return out;
    }

    /**
     * The running pods of {@link #NON_MTLS_WORKLOADS}, listed on first use with one set-based LIST per label key
     * (three requests, however many selectors), then matched per selector as "namespace/name".
     */
    static final class NonMtlsPods {
        private final KubeConnection kube;
        private List<Pod> pods;

        NonMtlsPods(KubeConnection kube) {
            this.kube = kube;
        }

        synchronized List<String> matching(Map<String, String> selector) {
            if (pods == null) {
                Map<String, TreeSet<String>> values = new java.util.TreeMap<>();
                NON_MTLS_WORKLOADS.forEach(w -> w.forEach((k, v) -> values.computeIfAbsent(k, x -> new TreeSet<>()).add(v)));
                List<Pod> all = new ArrayList<>();
                try {
                    values.forEach((key, vals) -> all.addAll(kube.client().pods().inAnyNamespace()
                            .withLabelIn(key, vals.toArray(String[]::new)).list().getItems()));
                } catch (KubernetesClientException e) {
                    // a check, not a gate: without pods to look at there is nothing to warn about
                }
                pods = all;
            }
            return pods.stream()
                    .filter(p -> p.getMetadata().getLabels() != null && p.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
                    .map(p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName()).distinct().sorted().toList();
        }
    }

    /**
     * (b) Mesh-wide STRICT (root namespace, no selector) while pods that cannot do mTLS run without a PERMISSIVE
     * exception (a PeerAuthentication in their namespace whose selector matches them).
     */
    static List<Diagnostic> strictWithoutExceptions(CheckContext ctx, Function<Map<String, String>, List<String>> podsOf) {
        List<Diagnostic> out = new ArrayList<>();
        List<ResourceDecl> peers = ctx.declared(PEER);
        for (ResourceDecl d : peers) {
            JsonNode s = after(ctx, d);
            boolean meshWide = ROOT_NAMESPACE.equals(Json.text(s, "namespace")) && !s.has("selector");
            if (!meshWide || !"STRICT".equals(Json.text(s.path("mtls"), "mode"))) {
                continue;
            }
            TreeSet<String> uncovered = new TreeSet<>();
            for (Map<String, String> selector : NON_MTLS_WORKLOADS) {
                for (String pod : podsOf.apply(selector)) {
                    String ns = pod.substring(0, pod.indexOf('/'));
                    if (!coveredByPermissive(ctx, peers, ns, selector)) {
                        uncovered.add(pod + " (" + selector.entrySet().iterator().next() + ")");
                    }
                }
            }
            if (!uncovered.isEmpty()) {
                out.add(Diagnostic.warning(d.address() + ": mesh-wide STRICT mTLS while " + uncovered.size()
                                + " pod(s) that cannot do mTLS have no PERMISSIVE exception",
                        "pods: " + String.join(", ", uncovered) + "\nadd istio.peerAuthentication resources with"
                                + " mtls.mode PERMISSIVE and a selector for them in their namespaces (the Cortex guide's"
                                + " mongo, minio-make-bucket, spark-driver, spark-executor); the guide recommends running"
                                + " Redis and MinIO outside the cluster instead", range(d, "/spec/mtls/mode")));
            }
        }
        return out;
    }

    private static boolean coveredByPermissive(CheckContext ctx, List<ResourceDecl> peers, String ns, Map<String, String> podLabels) {
        for (ResourceDecl p : peers) {
            JsonNode s = after(ctx, p);
            if (!ns.equals(Json.text(s, "namespace"))) {
                continue;
            }
            String mode = Json.text(s.path("mtls"), "mode");
            if (!"PERMISSIVE".equals(mode) && !"DISABLE".equals(mode)) {
                continue;
            }
            Map<String, String> match = Json.stringMap(s.path("selector").path("matchLabels"));
            if (!s.has("selector") || podLabels.entrySet().containsAll(match.entrySet())) {
                return true;
            }
        }
        return false;
    }

    /** The extension provider names the stack's istio.install declares in meshConfig. */
    private static TreeSet<String> extensionProviders(CheckContext ctx) {
        TreeSet<String> declared = new TreeSet<>();
        for (ResourceDecl i : ctx.declared(IstioInstallType.NAME)) {
            declared.addAll(ExtAuthzProviders.names(after(ctx, i)));
        }
        return declared;
    }

    /** Whether any running pod matches a policy's selector; empty when that cannot be told (no control plane yet). */
    interface PodMatcher {
        java.util.Optional<Boolean> anyRunning(String namespace, Map<String, String> matchLabels);
    }

    /**
     * Live {@link PodMatcher}: one LIST of at most one pod per policy, in the policy's namespace (every namespace for
     * the root namespace, where a selector reaches workloads mesh-wide). Before istiod runs, nothing is judged: the
     * gateway a policy selects may come with the install this very plan makes.
     */
    static final class SelectorPods implements PodMatcher {
        private final KubeConnection kube;
        private Boolean controlPlane;

        SelectorPods(KubeConnection kube) {
            this.kube = kube;
        }

        @Override
        public synchronized java.util.Optional<Boolean> anyRunning(String namespace, Map<String, String> matchLabels) {
            try {
                if (controlPlane == null) {
                    controlPlane = !kube.client().apps().deployments().inNamespace(ROOT_NAMESPACE).withLabel("app", "istiod")
                            .list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withLimit(1L).build()).getItems().isEmpty();
                }
                if (!controlPlane) {
                    return java.util.Optional.empty();
                }
                var pods = ROOT_NAMESPACE.equals(namespace) ? kube.client().pods().inAnyNamespace().withLabels(matchLabels)
                        : kube.client().pods().inNamespace(namespace).withLabels(matchLabels);
                return java.util.Optional.of(pods.list().getItems().stream()
                        .anyMatch(p -> !io.meshform.providers.kubernetes.injection.Sidecars.finished(p)));
            } catch (KubernetesClientException e) {
                return java.util.Optional.empty();
            }
        }
    }

    /**
     * (h) A CUSTOM or DENY AuthorizationPolicy whose selector matches no running pod. Istio accepts it and enforces
     * nothing: a mistyped gateway label leaves every ingress request unchecked by the auth proxy.
     */
    static List<Diagnostic> policiesSelectingNothing(CheckContext ctx, PodMatcher pods) {
        List<Diagnostic> out = new ArrayList<>();
        for (ResourceDecl d : ctx.declared(AUTHZ)) {
            JsonNode s = after(ctx, d);
            String action = Json.text(s, "action", "ALLOW");
            Map<String, String> labels = Json.stringMap(s.path("selector").path("matchLabels"));
            if (labels.isEmpty() || !(action.equals("CUSTOM") || action.equals("DENY"))) {
                continue;
            }
            String ns = Json.text(s, "namespace");
            if (pods.anyRunning(ns, labels).orElse(true)) {
                continue;
            }
            String where = ROOT_NAMESPACE.equals(ns) ? "any namespace" : "namespace " + ns;
            out.add(Diagnostic.warning(d.address() + ": the " + action + " policy's selector " + labels
                            + " matches no running pod in " + where,
                    (action.equals("CUSTOM") ? "no request is sent to the auth proxy: the workloads it should guard are"
                            : "nothing is denied: the workloads it should guard are")
                            + " either not running or labelled differently; compare with `kubectl get pods -n " + ns
                            + " --show-labels`", range(d, "/spec/selector/matchLabels")));
        }
        return out;
    }

    /** (c) A CUSTOM AuthorizationPolicy whose provider the Istio install does not declare. */
    static List<Diagnostic> customProviderDeclared(CheckContext ctx) {
        List<Diagnostic> out = new ArrayList<>();
        TreeSet<String> declared = extensionProviders(ctx);
        for (ResourceDecl d : ctx.declared(AUTHZ)) {
            JsonNode s = after(ctx, d);
            String provider = Json.text(s.path("provider"), "name");
            if ("CUSTOM".equals(Json.text(s, "action")) && provider != null && !declared.contains(provider)) {
                out.add(Diagnostic.warning(d.address() + ": CUSTOM provider `" + provider
                                + "` is not declared in the istio.install extAuthz or meshConfig.extensionProviders",
                        declared.isEmpty() ? "the stack's istio.install declares no extension providers; add one named "
                                + provider + " to extAuthz (the Cortex auth proxy's service and port)"
                                : "declared providers: " + String.join(", ", declared), range(d, "/spec/provider/name")));
            }
        }
        return out;
    }

    /**
     * A Telemetry whose tracing names a provider the Istio install does not declare: Istio accepts it and then sends
     * no spans at all. Checked only when the stack declares the install (otherwise its meshConfig is unknown).
     */
    static List<Diagnostic> tracingProviderDeclared(CheckContext ctx) {
        List<Diagnostic> out = new ArrayList<>();
        if (ctx.declared(IstioInstallType.NAME).isEmpty()) {
            return out;
        }
        TreeSet<String> declared = extensionProviders(ctx);
        for (ResourceDecl d : ctx.declared(TELEMETRY)) {
            JsonNode tracing = after(ctx, d).path("tracing");
            for (int i = 0; i < tracing.size(); i++) {
                JsonNode providers = tracing.get(i).path("providers");
                for (int p = 0; p < providers.size(); p++) {
                    String name = Json.text(providers.get(p), "name");
                    if (name != null && !declared.contains(name)) {
                        out.add(Diagnostic.warning(d.address() + ": tracing provider `" + name
                                        + "` is not declared in the istio.install meshConfig.extensionProviders",
                                "Istio accepts the Telemetry but sends no spans; add an extension provider named " + name
                                        + " (e.g. zipkin: {service: zipkin.istio-system.svc.cluster.local, port: 9411})"
                                        + (declared.isEmpty() ? "" : "; declared providers: " + String.join(", ", declared)),
                                range(d, "/spec/tracing/" + i + "/providers/" + p + "/name")));
                    }
                }
            }
        }
        return out;
    }

    /** (d) A namespace that gets both istio-injection and istio.io/rev labels. */
    static List<Diagnostic> injectionAndRevision(CheckContext ctx) {
        Map<String, List<ResourceDecl>> byNamespace = new java.util.TreeMap<>();
        Map<String, TreeSet<String>> keys = new java.util.TreeMap<>();
        for (String type : List.of(LABELS, NAMESPACE)) {
            for (ResourceDecl d : ctx.declared(type)) {
                JsonNode s = after(ctx, d);
                if (type.equals(LABELS) && !"Namespace".equals(Json.text(s, "kind", "Namespace"))) {
                    continue;
                }
                String ns = Json.text(s, "name");
                Map<String, String> labels = Json.stringMap(s.get("labels"));
                for (String k : List.of("istio-injection", "istio.io/rev")) {
                    if (labels.containsKey(k) && ns != null) {
                        keys.computeIfAbsent(ns, x -> new TreeSet<>()).add(k);
                        byNamespace.computeIfAbsent(ns, x -> new ArrayList<>()).add(d);
                    }
                }
            }
        }
        List<Diagnostic> out = new ArrayList<>();
        keys.forEach((ns, k) -> {
            if (k.size() == 2) {
                ResourceDecl d = byNamespace.get(ns).get(0);
                out.add(Diagnostic.warning("namespace " + ns + " gets both istio-injection and istio.io/rev labels",
                        "istio-injection wins and the revision label is ignored; keep one ("
                                + String.join(", ", byNamespace.get(ns).stream().map(x -> x.address().toString()).distinct().toList())
                                + ")", range(d, "/spec/labels")));
            }
        });
        return out;
    }

    /** (e) Diagnostic addons in a production stack: the Cortex guide says to keep them off. */
    /** The PeerAuthentications of a namespace as "name" -> spec, read live (one LIST). */
    static Map<String, JsonNode> peerAuthentications(KubeConnection kube, String namespace) {
        Map<String, JsonNode> out = new java.util.TreeMap<>();
        try {
            kube.client().genericKubernetesResources(IstioProvider.PEER_AUTHENTICATION_CONTEXT).inNamespace(namespace).list()
                    .getItems().forEach(p -> out.put(p.getMetadata().getName(), Json.toNode(p).path("spec")));
        } catch (KubernetesClientException e) {
            // No Istio CRDs (not installed yet) or no namespace: nothing can weaken anything there.
        }
        return out;
    }

    /**
     * An object meshform does not manage that weakens what the stack declares: a PeerAuthentication in a namespace
     * the stack makes STRICT (mesh-wide or namespace-wide) that sets PERMISSIVE or DISABLE. A drift check shows it
     * although it is in no state; a plan warns before STRICT is relied on.
     */
    static List<Diagnostic> unmanagedWeakerMtls(CheckContext ctx, Function<String, Map<String, JsonNode>> livePeers) {
        List<ResourceDecl> peers = ctx.declared(PEER);
        ResourceDecl meshWide = null;
        Map<String, ResourceDecl> strictNamespaces = new java.util.TreeMap<>();
        java.util.Set<String> managed = new java.util.HashSet<>();
        for (ResourceDecl d : peers) {
            JsonNode s = after(ctx, d);
            String ns = Json.text(s, "namespace");
            managed.add(ns + "/" + Json.text(s, "name", d.address().name()));
            if ("STRICT".equals(Json.text(s.path("mtls"), "mode")) && !s.has("selector")) {
                if (ROOT_NAMESPACE.equals(ns)) {
                    meshWide = d;
                } else {
                    strictNamespaces.put(ns, d);
                }
            }
        }
        java.util.Set<String> watched = new java.util.TreeSet<>(strictNamespaces.keySet());
        if (meshWide != null) {
            // Mesh-wide STRICT: watch every namespace the stack touches.
            peers.forEach(d -> watched.add(Json.text(after(ctx, d), "namespace")));
            ctx.declared("kubernetes.labels").forEach(d -> watched.add(Json.text(after(ctx, d), "name")));
        }
        List<Diagnostic> out = new ArrayList<>();
        for (String ns : watched) {
            ResourceDecl strict = strictNamespaces.getOrDefault(ns, meshWide);
            for (Map.Entry<String, JsonNode> e : livePeers.apply(ns).entrySet()) {
                String mode = Json.text(e.getValue().path("mtls"), "mode");
                if (managed.contains(ns + "/" + e.getKey()) || !("PERMISSIVE".equals(mode) || "DISABLE".equals(mode))) {
                    continue;
                }
                JsonNode selector = e.getValue().path("selector").path("matchLabels");
                out.add(Diagnostic.warning("PeerAuthentication " + ns + "/" + e.getKey() + ", which the stack does not manage, "
                                + "sets mTLS " + mode + (selector.isObject() && !selector.isEmpty()
                                ? " for pods " + selector : " for the whole namespace"),
                        "it weakens the STRICT mTLS that " + strict.address() + " declares; delete it, or declare it "
                                + "(istio.peerAuthentication) if the exception is intended", range(strict, "/spec/mtls/mode")));
            }
        }
        return out;
    }

    static List<Diagnostic> productionAddons(CheckContext ctx) {
        List<Diagnostic> out = new ArrayList<>();
        if (ctx.stack().environment() != Environment.PRODUCTION) {
            return out;
        }
        for (ResourceDecl d : ctx.declared(IstioInstallType.NAME)) {
            JsonNode addons = after(ctx, d).path("addons");
            for (String a : IstioInstallType.ADDONS) {
                if (Json.bool(addons, a)) {
                    out.add(Diagnostic.warning(d.address() + ": addon " + a + " is enabled in a production stack",
                            "Istio components that are not required (kiali, prometheus, grafana, tracing) should be"
                                    + " disabled in production; enable them only while collecting diagnostics",
                            range(d, "/spec/addons/" + a)));
                }
            }
        }
        return out;
    }

    /** (g) An auth proxy that would break the OIDC redirect or open the ingress while it is down. */
    static List<Diagnostic> authProxyRisks(CheckContext ctx) {
        List<Diagnostic> out = new ArrayList<>();
        for (ResourceDecl d : ctx.declared(IstioInstallType.NAME)) {
            for (ExtAuthzProviders.Risk r : ExtAuthzProviders.risks(after(ctx, d))) {
                out.add(Diagnostic.warning(d.address() + ": " + r.summary(), r.detail(), range(d, "/spec" + r.pointer())));
            }
        }
        return out;
    }
}

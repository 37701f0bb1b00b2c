package io.meshform.providers.istio.checks;

import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.CheckContext.Purpose;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.istio.install.RenderedMesh;
import io.meshform.providers.istio.policy.ConfigRevision;
import io.meshform.providers.istio.policy.MeshConfigView;
import io.meshform.providers.istio.policy.PeerAuthentications;
import io.meshform.providers.istio.policy.PeerPolicy;
import io.meshform.providers.kubernetes.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * The mesh a run judges: for a plan, the live cluster with the stack's objects as the plan leaves them (created,
 * changed, removed); for drift, the live cluster as it is; for validate, the stack alone. Checks ask it for the mesh
 * config in force, the PeerAuthentications (as {@link PeerAuthentications}, Istio's model) and the namespaces' labels.
 */
public final class PlannedMesh {
    private final CheckContext ctx;
    private final java.util.function.Supplier<ClusterView> cluster;
    private final InstallMesh installMesh;
    // Computed once per run and shared by its checks (see PerRun): at 1,000 resources each of these walks every
    // planned object, and a dozen checks asked for them again (about half of the checks' CPU in a no-op plan). Each is
    // read-only once built.
    private List<PlannedObject> planned;
    private List<PlannedObject> removed;
    private List<PeerPolicy> declaredPeers;
    private List<PeerPolicy> peerPolicies;
    private final java.util.Map<String, MeshConfigView> byRevision = new java.util.HashMap<>();
    private java.util.Optional<RenderedMesh.MeshConfig> installMeshConfig;
    private PeerAuthentications peers;
    private Set<String> served;

    public PlannedMesh(CheckContext ctx, ClusterView cluster) {
        this(ctx, () -> cluster);
    }

    /**
     * With the live view asked for only when a check first needs it: {@code istioctl analyze} starts before the plan's
     * reads end and needs the view only to judge istioctl's answer, so the view's reads (which start all at once) do
     * not compete with the plan's.
     */
    public PlannedMesh(CheckContext ctx, java.util.function.Supplier<ClusterView> cluster) {
        this(ctx, cluster, (c, d, spec) -> RenderedMesh.unrendered(d, spec, null));
    }

    /** With the install's mesh config from {@code installMesh} (in the product: istioctl's render, {@link RenderedMesh}). */
    public PlannedMesh(CheckContext ctx, java.util.function.Supplier<ClusterView> cluster, InstallMesh installMesh) {
        this.ctx = ctx;
        this.cluster = cluster;
        this.installMesh = installMesh;
    }

    /** The mesh config an install gives istiod, given the run, the install and its planned spec. */
    @FunctionalInterface
    public interface InstallMesh {
        RenderedMesh.MeshConfig of(CheckContext ctx, ResourceDecl install, JsonNode spec);
    }

    /**
     * The planned mesh of the current run, handed to all its checks (they run on several threads): a new one whenever
     * the engine starts checks with another context, as {@code LiveCluster.Runs} does for the live view.
     */
    static final class PerRun implements java.util.function.Function<CheckContext, PlannedMesh> {
        private final java.util.function.Function<CheckContext, ClusterView> view;
        private final InstallMesh installMesh;
        private CheckContext current;
        private PlannedMesh mesh;

        PerRun(java.util.function.Function<CheckContext, ClusterView> view, InstallMesh installMesh) {
            this.view = view;
            this.installMesh = installMesh;
        }

        @Override
        public synchronized PlannedMesh apply(CheckContext ctx) {
            if (ctx != current) {
                current = ctx;
                mesh = new PlannedMesh(ctx, () -> view.apply(ctx), installMesh);
            }
            return mesh;
        }
    }

    public CheckContext context() {
        return ctx;
    }

    /** {@link PlannedObject#of} of this run's context, built once: read it, never change its objects. */
    public synchronized List<PlannedObject> planned() {
        if (planned == null) {
            planned = List.copyOf(PlannedObject.of(ctx));
        }
        return planned;
    }

    /** {@link PlannedObject#removed} of this run's context, built once: read it, never change its objects. */
    public synchronized List<PlannedObject> removed() {
        if (removed == null) {
            removed = List.copyOf(PlannedObject.removed(ctx));
        }
        return removed;
    }

    public ClusterView cluster() {
        return cluster.get();
    }

    /** The stack's istio.install, if it declares one (the first). */
    public java.util.Optional<ResourceDecl> install() {
        return ctx.declared(Mesh.INSTALL_TYPE).stream().findFirst();
    }

    /**
     * The mesh config in force after the run for the stack's first istio.install: {@link #meshConfig(String)} of that
     * install's revision, or of the default revision when the stack declares none.
     */
    public synchronized MeshConfigView meshConfig() {
        return meshConfig(install().map(PlannedMesh::revisionOf).orElse(Mesh.DEFAULT_REVISION));
    }

    /** The revision an istio.install declares ({@code revision}; the default revision without one). */
    static String revisionOf(ResourceDecl install) {
        String rev = Json.text(install.spec(), "revision", Mesh.DEFAULT_REVISION);
        return rev.isEmpty() ? Mesh.DEFAULT_REVISION : rev;
    }

    /** The stack's istio.install of {@code revision} (the first, should it declare two), if it declares one. */
    public java.util.Optional<ResourceDecl> install(String revision) {
        return ctx.declared(Mesh.INSTALL_TYPE).stream().filter(d -> revision.equals(revisionOf(d))).findFirst();
    }

    private MeshConfigView readMeshConfig(String revision) {
        var install = install(revision);
        String map = Mesh.ISTIO_NAMESPACE + "/" + Mesh.meshConfigMap(revision);
        String whose = Mesh.meshConfigMap(revision).equals(Mesh.MESH_CONFIG_MAP) ? "" : " of revision " + revision;
        String none = ctx.declared(Mesh.INSTALL_TYPE).isEmpty() ? "the stack declares no istio.install"
                : "the stack declares no istio.install of revision " + revision;
        // validate reads no cluster: it must not say what the cluster holds (plan reads the live mesh config).
        if (ctx.purpose() == Purpose.VALIDATE && install.isEmpty()) {
            return MeshConfigView.defaults("Istio's defaults (" + none + " and validate does not read the cluster's " + map
                    + " ConfigMap; plan does)");
        }
        if (ctx.purpose() == Purpose.DRIFT || install.isEmpty()) {
            ClusterView.Lookup<String> live = cluster().meshConfig(revision);
            if (live.value() != null) {
                return MeshConfigView.parse(live.value(), "the live mesh config" + whose + " (ConfigMap " + map + ")");
            }
            if (install.isEmpty()) {
                return MeshConfigView.defaults("Istio's defaults (" + none + " and " + (live.known() ? "the cluster has no "
                        + map + " ConfigMap" : "the cluster's " + map + " ConfigMap could not be read") + ")");
            }
        }
        RenderedMesh.MeshConfig planned = install.equals(install()) ? installMeshConfig().orElseThrow()
                : installMesh.of(ctx, install.get(), CheckSupport.after(ctx, install.get()));
        return MeshConfigView.of(planned.mesh(), planned.source());
    }

    /**
     * The mesh config the stack's istio.install gives istiod (as istioctl renders it, else as the stack writes it),
     * once per run; empty without an install. Read it, never change it.
     */
    public synchronized java.util.Optional<RenderedMesh.MeshConfig> installMeshConfig() {
        if (installMeshConfig == null) {
            installMeshConfig = install().map(d -> installMesh.of(ctx, d, CheckSupport.after(ctx, d)));
        }
        return installMeshConfig;
    }

    /**
     * The mesh config istiod of {@code revision} gives the proxies it serves: each revision's istiod reads its own
     * ConfigMap, {@code istio} or {@code istio-<revision>} ({@link Mesh#meshConfigMap}, Istio 1.30.3
     * pilot/pkg/bootstrap/mesh.go {@code getMeshConfigMapName}), so during a canary a gateway moved to the new revision is
     * configured from the canary's. For a plan, the stack's install of that revision gives it (the plan applies it),
     * else the live ConfigMap, else Istio's defaults (as istiod without its ConfigMap); for drift the live ConfigMap
     * first, since that is what istiod uses, then the stack's install. Once per revision and run.
     */
    public synchronized MeshConfigView meshConfig(String revision) {
        String rev = revision == null || revision.isEmpty() ? Mesh.DEFAULT_REVISION : revision;
        return byRevision.computeIfAbsent(rev, this::readMeshConfig);
    }

    public String rootNamespace() {
        return meshConfig().rootNamespace();
    }

    /** The PeerAuthentications declared by the stack (typed or as manifests), as the run leaves them, with their label. */
    public synchronized List<PeerPolicy> declaredPeers() {
        if (declaredPeers == null) {
            List<PeerPolicy> out = new ArrayList<>();
            for (PlannedObject o : planned()) {
                if ("PeerAuthentication".equals(o.kind()) && o.istio() && o.namespace() != null) {
                    out.add(PeerPolicy.of(o.namespace(), o.name(), null, o.object().path("spec"), o.decl().address().toString())
                            .withRevision(ConfigRevision.of(o.object())));
                }
            }
            declaredPeers = List.copyOf(out);
        }
        return declaredPeers;
    }

    /**
     * Every PeerAuthentication of the judged mesh. A plan: the live ones, with those the stack declares replaced by
     * their planned spec (keeping the live creation time, which decides ties), those it removes left out, and new ones
     * added as the newest; a live one the stack declares but a --target or --exclude plan leaves out keeps its live spec
     * and is named after its stack resource. Drift: the live ones, named after the stack resource that manages them.
     */
    public synchronized List<PeerPolicy> peerPolicies() {
        if (peerPolicies == null) {
            peerPolicies = judgedPeerPolicies();
        }
        return peerPolicies;
    }

    private List<PeerPolicy> judgedPeerPolicies() {
        List<PeerPolicy> declared = ctx.purpose() == Purpose.DRIFT ? List.of() : declaredPeers();
        if (ctx.purpose() == Purpose.VALIDATE) {
            return declared;
        }
        Set<String> served = servedRevisions();
        Map<String, String> planned = new HashMap<>();
        planned().stream().filter(o -> "PeerAuthentication".equals(o.kind()) && o.istio())
                .forEach(o -> planned.put(o.namespace() + "/" + o.name(), ConfigRevision.of(o.object())));
        // No istiod reads a policy labelled with a revision none serves (ConfigRevision): it is not in the mesh; one
        // labelled with a served revision is its istiod's alone (PeerPolicy#revision, PeerAuthentications#servedBy).
        declared = declared.stream().filter(d -> !ConfigRevision.ignored(d.revision(), served)).toList();
        Map<String, String> liveRevisions = cluster().peerAuthenticationRevisions();
        Map<String, PeerPolicy> live = new HashMap<>();
        cluster().peerAuthentications().forEach(p -> live.put(p.id(), p));
        Set<String> gone = new HashSet<>();
        for (PlannedObject o : removed()) {
            if ("PeerAuthentication".equals(o.kind())) {
                gone.add(o.namespace() + "/" + o.name());
            }
        }
        Map<String, String> managed = new HashMap<>();
        // Drift: the live policies the stack manages. A plan with --target or --exclude: the stack's policies it leaves
        // out stay as they are live, and are still the stack's; without their origin a check called them unmanaged.
        List<PlannedObject> ownLive = ctx.purpose() == Purpose.DRIFT ? planned() : PlannedObject.declaredNotPlanned(ctx);
        ownLive.stream().filter(o -> "PeerAuthentication".equals(o.kind()))
                .forEach(o -> managed.put(o.namespace() + "/" + o.name(), o.decl().address().toString()));
        Map<String, PeerPolicy> out = new TreeMap<>();
        live.forEach((id, p) -> {
            // A plan's own policy replaces the live one below, or, ignored by every istiod, takes it out of the mesh.
            boolean replaced = ctx.purpose() == Purpose.PLAN && planned.containsKey(id);
            if (!gone.contains(id) && !replaced && !ConfigRevision.ignored(liveRevisions.get(id), served)) {
                out.put(id, new PeerPolicy(p.namespace(), p.name(), p.created(), p.selector(), p.mode(), p.portLevel(),
                        managed.getOrDefault(id, p.origin()), liveRevisions.get(id)));
            }
        });
        for (PeerPolicy d : declared) {
            PeerPolicy was = live.get(d.id());
            Instant created = was == null ? null : was.created();
            out.put(d.id(), new PeerPolicy(d.namespace(), d.name(), created, d.selector(), d.mode(), d.portLevel(), d.origin(),
                    d.revision()));
        }
        return List.copyOf(out.values());
    }

    /**
     * An AuthorizationPolicy (or EnvoyFilter) of the judged mesh: the object, and the stack resource that declares (or
     * manages) it, null for one the stack does not know.
     */
    public record AuthorizationObject(JsonNode object, PlannedObject planned) {
    }

    /**
     * Every AuthorizationPolicy of the judged mesh. Validate: the stack's. A plan: the live ones, those the stack
     * declares replaced by their planned form, those it removes left out, new ones added. Drift: the live ones (the
     * stack's applied ones when the cluster shows none), each with the stack resource that manages it.
     */
    public List<AuthorizationObject> authorizationPolicies() {
        return judged("AuthorizationPolicy", ctx.purpose() == Purpose.VALIDATE ? List.of() : cluster().authorizationPolicies());
    }

    /**
     * Every EnvoyFilter of the judged mesh, as {@link #authorizationPolicies} overlays the stack's on the live ones (the
     * stack may declare EnvoyFilters as Istio objects too).
     */
    public List<AuthorizationObject> envoyFilters() {
        return judged("EnvoyFilter", ctx.purpose() == Purpose.VALIDATE ? List.of() : cluster().envoyFilters());
    }

    /** The {@code kind} objects of the judged mesh: {@code live}, the stack's planned ones over them, the removed left out. */
    private List<AuthorizationObject> judged(String kind, List<JsonNode> live) {
        Map<String, PlannedObject> declared = new java.util.LinkedHashMap<>();
        for (PlannedObject o : planned()) {
            if (kind.equals(o.kind()) && o.istio() && o.namespace() != null) {
                declared.put(o.namespace() + "/" + o.name(), o);
            }
        }
        Map<String, AuthorizationObject> out = new java.util.LinkedHashMap<>();
        Set<String> gone = new HashSet<>();
        for (PlannedObject o : removed()) {
            if (kind.equals(o.kind())) {
                gone.add(o.namespace() + "/" + o.name());
            }
        }
        for (JsonNode l : live) {
            String id = Json.text(l.path("metadata"), "namespace") + "/" + Json.text(l.path("metadata"), "name");
            if (!gone.contains(id)) {
                out.put(id, new AuthorizationObject(l, declared.get(id)));
            }
        }
        if (ctx.purpose() != Purpose.DRIFT || live.isEmpty()) {
            declared.forEach((id, o) -> out.put(id, new AuthorizationObject(o.object(), o)));
        }
        // No istiod reads an object labelled with a revision none serves (ConfigRevision): it is not in the mesh.
        Set<String> served = ctx.purpose() == Purpose.VALIDATE ? Set.of() : servedRevisions();
        out.values().removeIf(a -> ConfigRevision.ignored(ConfigRevision.of(a.object()), served));
        return List.copyOf(out.values());
    }

    /**
     * Whether some istiod reads {@code object} after the run: no {@code istio.io/rev} label, or one a served revision
     * has ({@link ConfigRevision}). Validate knows no served revision, so every object counts there.
     */
    public boolean readByIstiod(JsonNode object) {
        return ctx.purpose() == Purpose.VALIDATE || !ConfigRevision.ignored(ConfigRevision.of(object), servedRevisions());
    }

    /**
     * The revisions whose istiod reads config after the run ({@link ConfigRevision}): the live istiod Deployments'
     * {@code istio.io/rev} labels (the chart's {@code default} for the default revision), and for a plan the stack's
     * istio.install revisions. Empty when not known (validate reads no cluster; a cluster with no istiod and a stack
     * with no install): then no object counts as ignored.
     */
    public synchronized Set<String> servedRevisions() {
        if (served == null) {
            Set<String> out = new java.util.TreeSet<>(liveServedRevisions());
            if (ctx.purpose() == Purpose.PLAN) {
                // An install the plan removes serves nothing after it (a canary's old revision retired), unless the
                // stack still declares an install of that revision.
                ctx.removed().forEach((a, recorded) -> {
                    if (Mesh.INSTALL_TYPE.equals(a.type())) {
                        String rev = Json.text(recorded, "revision", Mesh.DEFAULT_REVISION);
                        out.remove(rev.isEmpty() ? Mesh.DEFAULT_REVISION : rev);
                    }
                });
                ctx.declared(Mesh.INSTALL_TYPE).forEach(d -> out.add(revisionOf(d)));
            }
            served = java.util.Collections.unmodifiableSet(out);
        }
        return served;
    }

    /** The revisions of the live istiod Deployments ({@link #servedRevisions} before the run); empty for validate. */
    public Set<String> liveServedRevisions() {
        Set<String> out = new java.util.TreeSet<>();
        if (ctx.purpose() != Purpose.VALIDATE) {
            for (JsonNode d : cluster().istiodDeployments()) {
                String rev = Json.text(d.path("metadata").path("labels"), ConfigRevision.LABEL);
                out.add(rev == null || rev.isEmpty() ? Mesh.DEFAULT_REVISION : rev);
            }
        }
        return out;
    }

    /**
     * The live PeerAuthentications some live istiod reads (the mesh before the run): those labelled with a revision no
     * live istiod serves are left out ({@link ConfigRevision}).
     */
    public List<PeerPolicy> livePeerPolicies() {
        Set<String> served = liveServedRevisions();
        Map<String, String> revisions = cluster().peerAuthenticationRevisions();
        return cluster().peerAuthentications().stream().filter(p -> !ConfigRevision.ignored(revisions.get(p.id()), served))
                .map(p -> p.withRevision(revisions.get(p.id()))).toList();
    }

    /** Istio's model of the judged mesh's PeerAuthentications. */
    public synchronized PeerAuthentications peers() {
        if (peers == null) {
            peers = new PeerAuthentications(rootNamespace(), peerPolicies());
        }
        return peers;
    }

    /** {@link PlannedNamespaceLabels#after}: the labels of every namespace after the run, as apply leaves them. */
    public Map<String, Map<String, String>> namespaceLabels() {
        return new PlannedNamespaceLabels(ctx, this::cluster).after();
    }

    /** {@link PlannedNamespaceLabels#declared}: what the stack sets on each namespace. */
    public Map<String, Map<String, String>> declaredNamespaceLabels() {
        return new PlannedNamespaceLabels(ctx, this::cluster).declared();
    }

    /** {@link PlannedNamespaceLabels#declarations}: the resources that set labels on each namespace. */
    public Map<String, List<ResourceDecl>> namespaceDeclarations() {
        return new PlannedNamespaceLabels(ctx, this::cluster).declarations();
    }
}

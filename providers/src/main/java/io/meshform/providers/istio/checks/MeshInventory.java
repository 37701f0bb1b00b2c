package io.meshform.providers.istio.checks;

import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.CheckContext.Purpose;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.istio.injection.Injection;
import io.meshform.providers.istio.injection.Injectors;
import io.meshform.providers.istio.injection.LivePod;
import io.meshform.providers.istio.injection.Sidecars;
import io.meshform.providers.istio.policy.CallerType;
import io.meshform.providers.istio.policy.Interception;
import io.meshform.providers.istio.policy.ReachPod;
import io.meshform.providers.istio.policy.ReachService;
import io.meshform.providers.istio.policy.MeshConfigView;
import io.meshform.providers.istio.policy.MeshState;
import io.meshform.providers.istio.policy.OutsideCaller;
import io.meshform.providers.istio.policy.ConfigRevision;
import io.meshform.providers.istio.policy.DestinationPolicy;
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
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The pods, Services, PeerAuthentications, DestinationRules and mesh config the reachability model reads, from the
 * run's {@link ClusterView} (one cluster-wide LIST per kind, shared with every check) and the stack: {@link #live} is
 * the cluster as it is; {@link #planned} the cluster as the plan leaves it (the stack's PeerAuthentications and
 * DestinationRules, typed or as manifests, created, changed or removed; its namespaces' injection labels; its
 * install's mesh config). Pods Istio never meshes and that call no application (kube-system and the other namespaces
 * the injector skips, finished pods, the Istio namespace's pods without a proxy such as istiod) are left out.
 */
final class MeshInventory {
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    private MeshInventory() {
    }

    /**
     * The live cluster, with the stack's outside callers. {@code projected}: each pod with the sidecar it has once it
     * restarts under its namespace's live labels (a plan's "before", so a pod that merely awaits its restart is no
     * change the plan makes); otherwise the sidecars pods run with now (drift).
     */
    static MeshState live(PlannedMesh mesh, boolean projected) {
        ClusterView c = mesh.cluster();
        JsonNode meshConfig = liveMeshConfig(c);
        MeshConfigView view = MeshConfigView.of(meshConfig, "the live mesh config");
        return new MeshState(view.rootNamespace(), view.enableAutoMtls(), view.defaultDestinationRuleExportTo(), MeshState.DEFAULT_DOMAIN,
                pods(c, projected ? c.namespaces() : null, Set.of(), c.injectors()), services(c), mesh.livePeerPolicies(), liveRules(mesh),
                Callers.of(mesh.context()));
    }

    /**
     * The cluster as the plan leaves it (for drift: as what was applied would have it), each pod with the sidecar it
     * has once it restarts under the planned namespace labels.
     */
    static MeshState planned(PlannedMesh mesh) {
        ClusterView c = mesh.cluster();
        var install = mesh.install();
        JsonNode meshConfig = install.isPresent() ? mesh.installMeshConfig().orElseThrow().mesh() : liveMeshConfig(c);
        Map<String, Map<String, String>> labels = mesh.namespaceLabels();
        Injectors injectors = InjectionLabelAndRevision.injectors(mesh);
        Set<String> turnedOff = new HashSet<>();
        labels.forEach((ns, after) -> {
            if (c.injectors().effective(c.namespaces().get(ns)).enabled() && !injectors.effective(after).enabled()) {
                turnedOff.add(ns);
            }
        });
        MeshConfigView view = MeshConfigView.of(meshConfig, "the planned mesh config");
        return new MeshState(mesh.rootNamespace(), view.enableAutoMtls(), view.defaultDestinationRuleExportTo(), MeshState.DEFAULT_DOMAIN,
                pods(c, labels, turnedOff, injectors), services(c), mesh.peerPolicies(), rules(mesh), Callers.of(mesh.context()));
    }

    /**
     * The revisions whose injector policy the model assumed (their ConfigMap could not be read, {@link Injectors#assumed})
     * though they serve a namespace: as the plan leaves the namespaces, and (a plan's "before") as they are live.
     */
    static Map<String, String> assumedPolicies(PlannedMesh mesh) {
        Map<String, String> out = new TreeMap<>(InjectionLabelAndRevision.injectors(mesh).assumed(mesh.namespaceLabels().values()));
        if (mesh.context().purpose() == Purpose.PLAN) {
            ClusterView c = mesh.cluster();
            out.putAll(c.injectors().assumed(c.namespaces().values()));
        }
        return out;
    }

    private static JsonNode liveMeshConfig(ClusterView c) {
        try {
            JsonNode n = c.meshConfig().map(YAML::readTree).orElse(null);
            return n != null && n.isObject() ? n : Json.object();
        } catch (RuntimeException unparseable) {
            return Json.object(); // the mesh checks report a mesh config that does not parse
        }
    }

    /**
     * Pods as the model sees them. With {@code labels} (namespace labels), each with the sidecar it has once it
     * restarts: one where injection is on gets one unless the injector skips it (opt-out, hostNetwork: {@code
     * injectRequired}, pkg/kube/inject/inject.go), one in a namespace in {@code turnedOff} loses it, any other keeps
     * what it has. Without, the sidecars pods run with now. This is the one answer every mesh check uses to "will this
     * pod have a sidecar".
     */
    static List<ReachPod> pods(ClusterView c, Map<String, Map<String, String>> labels, Set<String> turnedOff) {
        return pods(c, labels, turnedOff, Injectors.UNKNOWN);
    }

    /**
     * As {@link #pods(ClusterView, Map, Set)}, with injection as {@code injectors} resolve it: a revision no webhook
     * answers to injects nothing, with enableNamespacesByDefault an unlabelled namespace is injected, and under the
     * injector policy {@code disabled} only pods that ask are (see {@link Injectors}).
     */
    static List<ReachPod> pods(ClusterView c, Map<String, Map<String, String>> labels, Set<String> turnedOff,
                               Injectors injectors) {
        List<ReachPod> out = new ArrayList<>();
        for (LivePod pod : c.pods()) {
            String ns = pod.namespace();
            boolean sidecar = Sidecars.hasSidecar(pod);
            String revision = sidecar ? Sidecars.revisionOf(pod) : null; // the injector's, which serves its proxy
            if (Sidecars.finished(pod) || Sidecars.NEVER_INJECTED_NAMESPACES.contains(ns)
                    || (Mesh.ISTIO_NAMESPACE.equals(ns) && !sidecar)) {
                continue;
            }
            if (labels != null) {
                Map<String, String> nsLabels = labels.get(ns);
                boolean injecting = Injection.of(nsLabels).enabled() ? injectors.effective(nsLabels).enabled()
                        : injectors.autoInjects(nsLabels).isPresent();
                if (injecting && Sidecars.injectedOnCreate(nsLabels, injectors, pod)) {
                    // the webhook selects the pod; the injector's policy and the pod's own word decide. Restarted, it is
                    // the injecting revision's (a namespace moved to the canary), whose istiod then serves its proxy;
                    // not known when the webhooks are not (the label may name a tag): then the one it has, if any
                    String injector = !injectors.known() ? null : Injection.of(nsLabels).enabled()
                            ? injectors.effective(nsLabels).revision() : injectors.autoInjects(nsLabels).orElse(null);
                    revision = injector != null ? injector : revision;
                    sidecar = true;
                } else if (!injecting && turnedOff.contains(ns)) {
                    sidecar = false;
                }
            }
            out.add(of(pod).withSidecar(sidecar).withRevision(sidecar ? revision : null));
        }
        return out;
    }

    static ReachPod of(LivePod pod) {
        List<ReachPod.Port> ports = new ArrayList<>();
        for (LivePod.Container k : pod.containers()) {
            if (Sidecars.PROXY_CONTAINER.equals(k.name())) {
                continue;
            }
            for (LivePod.Port p : k.ports()) {
                if (p.number() != null && (p.protocol() == null || "TCP".equals(p.protocol()))) {
                    ports.add(new ReachPod.Port(p.number(), p.name()));
                }
            }
        }
        boolean nativeSidecar = pod.initContainers().stream()
                .anyMatch(k -> Sidecars.PROXY_CONTAINER.equals(k.name()) && "Always".equals(k.restartPolicy()));
        String workload = Sidecars.workloadOf(pod).map(w -> w.name()).orElse(pod.name());
        // a gateway's or waypoint's istio-proxy is no sidecar: no PeerAuthentication decides what it accepts (ReachPod)
        boolean gatewayProxy = pod.proxyType().filter(t -> t.equals("router") || t.equals("waypoint")).isPresent();
        return new ReachPod(pod.namespace(), pod.name(), workload, pod.labels(), Sidecars.hasSidecar(pod), nativeSidecar,
                pod.hostNetwork(), ports, pod.podIp(), interception(pod), gatewayProxy);
    }

    /**
     * What the pod's sidecar captures ({@link Interception}): the istio-iptables arguments of its injected
     * {@code istio-init} (or, with istio-cni, {@code istio-validation}) container, which carry the values the injector
     * resolved (manifests/charts/istio-control/istio-discovery/files/injection-template.yaml), else its
     * {@code traffic.sidecar.istio.io/*} and {@code sidecar.istio.io/interceptionMode} annotations over Istio's
     * defaults (what the injector and istio-cni read; a pod not injected yet gets these once it restarts).
     */
    static Interception interception(LivePod pod) {
        List<String> args = pod.initContainers().stream()
                .filter(k -> "istio-init".equals(k.name()) || "istio-validation".equals(k.name()))
                .map(LivePod.Container::args).filter(a -> a.contains("istio-iptables")).findFirst().orElse(null);
        return Interception.of(pod.annotations(), args);
    }

    static List<ReachService> services(ClusterView c) {
        return c.services().stream().map(ReachService::of).toList();
    }

    /** The live DestinationRules some live istiod reads ({@link ConfigRevision}). */
    static List<DestinationPolicy> liveRules(PlannedMesh mesh) {
        Set<String> served = mesh.liveServedRevisions();
        Map<String, String> revisions = mesh.cluster().destinationRuleRevisions();
        return mesh.cluster().destinationRules().stream().filter(r -> !ConfigRevision.ignored(revisions.get(r.id()), served))
                .map(r -> r.withRevision(revisions.get(r.id()))).toList();
    }

    /**
     * Live DestinationRules with the stack's as the plan leaves them (a changed one keeps its creation time), less those
     * labelled with a revision no istiod serves after the run ({@link ConfigRevision}).
     */
    static List<DestinationPolicy> rules(PlannedMesh mesh) {
        Set<String> served = mesh.servedRevisions();
        Map<String, String> revisions = mesh.cluster().destinationRuleRevisions();
        Map<String, DestinationPolicy> out = new TreeMap<>();
        mesh.cluster().destinationRules().forEach(r -> out.put(r.id(), r.withRevision(revisions.get(r.id()))));
        out.values().removeIf(r -> ConfigRevision.ignored(revisions.get(r.id()), served));
        if (mesh.context().purpose() == Purpose.DRIFT) {
            return List.copyOf(out.values());
        }
        Set<String> gone = new HashSet<>();
        mesh.removed().stream().filter(o -> "DestinationRule".equals(o.kind()))
                .forEach(o -> gone.add(o.namespace() + "/" + o.name()));
        gone.forEach(out::remove);
        for (PlannedObject o : mesh.planned()) {
            if ("DestinationRule".equals(o.kind()) && o.istio() && o.namespace() != null) {
                DestinationPolicy was = out.get(o.namespace() + "/" + o.name());
                Instant created = was == null ? null : was.created();
                if (ConfigRevision.ignored(ConfigRevision.of(o.object()), served)) {
                    out.remove(o.namespace() + "/" + o.name());
                    continue;
                }
                out.put(o.namespace() + "/" + o.name(), DestinationPolicy.of(o.namespace(), o.name(), created, o.object().path("spec"),
                        o.decl().address().toString()).withRevision(ConfigRevision.of(o.object())));
            }
        }
        return List.copyOf(out.values());
    }

    /** The same run judged as a plan: for drift, "what was applied" over the live cluster. */
    static PlannedMesh asApplied(PlannedMesh mesh) {
        CheckContext ctx = mesh.context();
        return new PlannedMesh(new CheckContext(ctx.stack(), ctx.after(), ctx.removed(), Purpose.PLAN, ctx.run()), mesh.cluster());
    }

    /** The stack's outside callers ({@code istio.caller}), as the run leaves them (drift: as applied). */
    static final class Callers {
        private Callers() {
        }

        static List<OutsideCaller> of(CheckContext ctx) {
            return ctx.declared(CallerType.NAME).stream().map(d -> CallerType.caller(d.address(), CheckSupport.after(ctx, d)))
                    .toList();
        }
    }
}

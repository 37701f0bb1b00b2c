package io.meshform.providers.istio.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The PeerAuthentications of a mesh and what they mean for each workload, computed the way istiod does. This is the
 * one model of server-side mTLS every check asks ("what mode does this pod's port get, and which policy decides");
 * the client side and the reachability diff build on it.
 *
 * <p>Istio's rules, from istio/istio at the pinned release:
 * <ul>
 *   <li>Policies are ordered by creation time, then name, then namespace ({@code sortConfigByCreationTime},
 *       pilot/pkg/model/config.go).</li>
 *   <li>Of the selector-less policies of one namespace (mesh-level in the root namespace, namespace-level elsewhere)
 *       only the first in that order is kept; istiod logs "Namespace/mesh-level PeerAuthentication is already defined"
 *       and ignores the rest ({@code addPeerAuthentication}, pilot/pkg/model/authentication.go). An empty
 *       {@code matchLabels} counts as no selector.</li>
 *   <li>A workload's candidates are the policies of its own namespace and of the root namespace whose selector is a
 *       subset of its labels ({@code getConfigsForWorkload}, same file; the namespaces of the Services selecting it are
 *       searched too, and a Service selects only pods of its own namespace).</li>
 *   <li>Composition ({@code ComposePeerAuthentication}, pilot/pkg/security/authn/policy_applier.go): start PERMISSIVE;
 *       one mesh, one namespace and one workload policy, each the oldest of its level; a selector in the root
 *       namespace is ignored; UNSET (or no {@code mtls}) inherits from the level above, in the order mesh, namespace,
 *       workload; only the chosen workload policy's {@code portLevelMtls} counts, an UNSET port entry inherits the
 *       workload's mode.</li>
 *   <li>Port keys are container (target) ports ({@code lb.authnBuilder.ForPort(cc.port.TargetPort)},
 *       pilot/pkg/networking/core/listener_inbound.go), looked up by {@code GetMutualTLSModeForPort}.</li>
 *   <li>The namespace-wide mode used by client-side auto-mTLS: the namespace-level policy's mode, UNSET inheriting
 *       the mesh's, a mesh UNSET counting as PERMISSIVE; unknown when neither exists
 *       ({@code GetNamespaceMutualTLSMode}).</li>
 * </ul>
 * Built once per plan from every policy of the planned cluster; a lookup scans only the workload's namespace and the
 * root namespace. Checked against istiod's own code on random meshes by {@code MtlsAgreementIT} (BENCHMARKS.md,
 * issue 20); the client side is {@link ClientMtls}.
 */
public final class PeerAuthentications {
    private final String rootNamespace;
    private final List<PeerPolicy> all;
    /** Kept policies by namespace, in Istio's order. */
    private final Map<String, List<PeerPolicy>> byNamespace = new HashMap<>();
    /** Selector-less policies istiod drops because an older one exists in the namespace, with the one it keeps. */
    private final Map<PeerPolicy, PeerPolicy> shadowed = new LinkedHashMap<>();
    /** {@link #servedBy} of each revision asked for, built once. */
    private final Map<String, PeerAuthentications> byRevision = new java.util.concurrent.ConcurrentHashMap<>();
    private final boolean labelled;

    public PeerAuthentications(String rootNamespace, Collection<PeerPolicy> policies) {
        this.rootNamespace = rootNamespace;
        List<PeerPolicy> sorted = new ArrayList<>(policies);
        sorted.sort(PeerPolicy.ORDER);
        this.all = List.copyOf(sorted);
        this.labelled = sorted.stream().anyMatch(p -> p.revision() != null);
        Map<String, PeerPolicy> firstWide = new HashMap<>();
        for (PeerPolicy p : sorted) {
            if (p.selector().isEmpty()) {
                PeerPolicy kept = firstWide.putIfAbsent(p.namespace(), p);
                if (kept != null) {
                    shadowed.put(p, kept);
                    continue;
                }
            }
            byNamespace.computeIfAbsent(p.namespace(), k -> new ArrayList<>()).add(p);
        }
    }

    public String rootNamespace() {
        return rootNamespace;
    }

    /** Every policy, in Istio's order. */
    public List<PeerPolicy> all() {
        return all;
    }

    /** Mesh- or namespace-level policies istiod ignores, each with the older one of its namespace that it keeps. */
    public Map<PeerPolicy, PeerPolicy> shadowed() {
        return java.util.Collections.unmodifiableMap(shadowed);
    }

    /**
     * The policies the istiod of {@code proxyRevision} reads ({@link ConfigRevision#readBy}: the unlabelled ones and
     * those labelled with that revision), composed alone: what that istiod gives the proxies it serves, as a server
     * ({@link #effective}) and, for auto mTLS, as a client ({@link #namespaceMode}). Each istiod composes only the
     * policies its config store holds, so a mesh-wide STRICT labelled for one revision leaves the other's pods
     * PERMISSIVE, and the oldest selector-less policy of a namespace is the oldest that revision reads. This model
     * itself when no policy is labelled, or {@code proxyRevision} is null (not known: every policy counts).
     */
    public PeerAuthentications servedBy(String proxyRevision) {
        if (!labelled || proxyRevision == null) {
            return this;
        }
        return byRevision.computeIfAbsent(proxyRevision, r -> new PeerAuthentications(rootNamespace,
                all.stream().filter(p -> ConfigRevision.readBy(p.revision(), r)).toList()));
    }

    /**
     * {@link #servedBy} of each revision whose istiod may read these policies, by revision: those in {@code served}
     * (the revisions served, as the run knows them); when none is known (validate), each revision a policy is labelled
     * with, and {@code ""} for an istiod that reads only the unlabelled ones. One entry, this model, when no policy is
     * labelled: every istiod then reads the same policies. For the checks that judge policies against each other (which
     * one an istiod keeps, which one weakens another), not pods.
     */
    public Map<String, PeerAuthentications> views(java.util.Set<String> served) {
        if (!labelled) {
            return Map.of("", this);
        }
        Map<String, PeerAuthentications> out = new LinkedHashMap<>();
        ConfigRevision.judged(served, all.stream().map(PeerPolicy::revision)).forEach(r -> out.put(r, servedBy(r)));
        return out;
    }

    /** The effective inbound mTLS of {@code pod}: {@link #effective(String, Map)} by the policies its istiod reads. */
    public EffectiveMtls effective(ReachPod pod) {
        return servedBy(pod.revision()).effective(pod.namespace(), pod.labels());
    }

    /** The effective inbound mTLS of a workload (pod) in {@code namespace} with {@code labels}. */
    public EffectiveMtls effective(String namespace, Map<String, String> labels) {
        PeerPolicy mesh = null;
        PeerPolicy ns = null;
        PeerPolicy workload = null;
        List<PeerPolicy> outranked = new ArrayList<>();
        for (String where : namespace.equals(rootNamespace) ? List.of(namespace) : List.of(namespace, rootNamespace)) {
            for (PeerPolicy p : byNamespace.getOrDefault(where, List.of())) {
                if (!p.selects(labels)) {
                    continue;
                }
                switch (p.scope(rootNamespace)) {
                    case MESH -> mesh = mesh == null || p.before(mesh) ? p : mesh;
                    case NAMESPACE -> ns = ns == null || p.before(ns) ? p : ns;
                    case WORKLOAD -> {
                        if (workload == null || p.before(workload)) {
                            if (workload != null) {
                                outranked.add(workload);
                            }
                            workload = p;
                        } else {
                            outranked.add(p);
                        }
                    }
                    case IGNORED -> {
                        // a selector in the root namespace: Istio ignores it
                    }
                }
            }
        }
        MtlsMode mode = MtlsMode.PERMISSIVE;
        for (PeerPolicy p : new PeerPolicy[] {mesh, ns, workload}) {
            if (p != null && p.mode() != MtlsMode.UNSET) {
                mode = p.mode();
            }
        }
        SortedMap<Integer, MtlsMode> perPort = new TreeMap<>();
        if (workload != null) {
            for (Map.Entry<Integer, MtlsMode> e : workload.portLevel().entrySet()) {
                perPort.put(e.getKey(), e.getValue() == MtlsMode.UNSET ? mode : e.getValue());
            }
        }
        return new EffectiveMtls(mode, perPort, mesh, ns, workload, outranked);
    }

    /**
     * The namespace-wide mode client-side auto-mTLS reads ({@code GetNamespaceMutualTLSMode},
     * pilot/pkg/model/authentication.go): empty when neither a namespace nor a mesh policy exists.
     */
    public Optional<MtlsMode> namespaceMode(String namespace) {
        MtlsMode global = null;
        for (PeerPolicy p : byNamespace.getOrDefault(rootNamespace, List.of())) {
            if (p.selector().isEmpty()) {
                global = p.mode() == MtlsMode.UNSET ? MtlsMode.PERMISSIVE : p.mode();
            }
        }
        if (!namespace.equals(rootNamespace)) {
            for (PeerPolicy p : byNamespace.getOrDefault(namespace, List.of())) {
                if (p.selector().isEmpty()) {
                    return Optional.of(p.mode() != MtlsMode.UNSET ? p.mode() : global == null ? MtlsMode.PERMISSIVE : global);
                }
            }
        }
        return Optional.ofNullable(global);
    }

    /** The kept policies of one namespace, in Istio's order. */
    public List<PeerPolicy> in(String namespace) {
        return List.copyOf(byNamespace.getOrDefault(namespace, List.of()));
    }
}

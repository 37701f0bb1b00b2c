package io.meshform.providers.istio.checks;

import io.meshform.providers.istio.injection.Injectors;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.SourceRange;
import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.istio.policy.EffectiveMtls;
import io.meshform.providers.istio.policy.Interception;
import io.meshform.providers.istio.policy.Reachability;
import io.meshform.providers.istio.policy.ReachPod;
import io.meshform.providers.istio.policy.MtlsMode;
import io.meshform.providers.istio.policy.PeerAuthentications;
import io.meshform.providers.istio.policy.PeerPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A PeerAuthentication meshform does not manage that weakens the STRICT mTLS the stack declares: in a namespace whose
 * namespace-wide mode is STRICT by one of the stack's policies, a policy the stack does not declare that Istio applies
 * ({@link PeerAuthentications}; pilot/pkg/security/authn/policy_applier.go) and that sets PERMISSIVE or DISABLE for
 * the namespace or for the workloads it selects, or for some of their ports ({@code portLevelMtls} DISABLE under
 * STRICT leaves that port plaintext-only: filterchain_options.go). Not reported, because Istio ignores them: a
 * selector in the root namespace, a second namespace-level policy (the conflict check reports that one), and a
 * workload policy that loses to an older one for every running pod it selects. A drift check shows it although it is
 * in no state; a plan warns before STRICT is relied on.
 *
 * <p>The same for a pod annotation that takes ports out of its sidecar's reach under a STRICT mode the stack sets
 * ({@link #bypassedStrict}): {@code traffic.sidecar.istio.io/excludeInboundPorts}, an {@code includeInboundPorts} list,
 * or {@code sidecar.istio.io/interceptionMode: NONE} ({@link Interception}; istio-iptables' {@code
 * handleInboundPortsInclude}, tools/istio-iptables/pkg/capture/run.go, fed by
 * manifests/charts/istio-control/istio-discovery/files/injection-template.yaml) sends those ports straight to the
 * application, where no PeerAuthentication acts: plaintext from anyone gets in.
 */
public final class UnmanagedWeakerMtls extends MeshCheck {
    UnmanagedWeakerMtls(Function<CheckContext, PlannedMesh> mesh) {
        super("unmanaged-weaker-mtls", NEEDS_CLUSTER, mesh, UnmanagedWeakerMtls::findings);
    }

    public static List<Diagnostic> findings(PlannedMesh mesh) {
        PeerAuthentications peers = mesh.peers();
        // Each istiod composes the policies it reads (PeerAuthentications#views): an unmanaged policy weakens the
        // stack's STRICT only where one istiod reads both. The same finding from several revisions is said once.
        java.util.Set<Diagnostic> weakened = new java.util.LinkedHashSet<>();
        peers.views(mesh.servedRevisions()).values().forEach(view -> weakened.addAll(weakenings(mesh, peers, view)));
        List<Diagnostic> out = new ArrayList<>(weakened);
        out.addAll(bypassedStrict(mesh, peers));
        return out;
    }

    /** The unmanaged policies of {@code peers} (one istiod's view) that weaken the stack's STRICT there. */
    private static List<Diagnostic> weakenings(PlannedMesh mesh, PeerAuthentications all, PeerAuthentications peers) {
        String root = peers.rootNamespace();
        List<Diagnostic> out = new ArrayList<>();
        // A workload policy (it has a selector) takes no part in a namespace's wide mode: with or without it, the
        // namespace-level and mesh policies Istio keeps are the same. So the answer is one per namespace, and the
        // mesh is rebuilt without the policy only for a namespace-level one (at most one per namespace is not
        // shadowed); rebuilding it for every workload policy made this check quadratic in the cluster's policies.
        Map<String, Optional<PeerPolicy>> strictByNamespace = new HashMap<>();
        for (PeerPolicy p : peers.all()) {
            if (p.origin() != null || peers.shadowed().containsKey(p)) {
                continue;
            }
            PeerPolicy.Scope scope = p.scope(root);
            if (scope == PeerPolicy.Scope.IGNORED || scope == PeerPolicy.Scope.MESH) {
                continue; // ignored by Istio; a second mesh policy is the conflict check's
            }
            PeerPolicy strictBy = scope == PeerPolicy.Scope.WORKLOAD
                    ? strictByNamespace.computeIfAbsent(p.namespace(), ns -> Optional.ofNullable(stackStrict(peers, ns))).orElse(null)
                    : stackStrict(without(peers, p), p.namespace());
            if (strictBy == null) {
                continue;
            }
            List<String> weakened = new ArrayList<>();
            if (p.mode() == MtlsMode.PERMISSIVE || p.mode() == MtlsMode.DISABLE) {
                weakened.add("mtls " + p.mode());
            }
            p.portLevel().forEach((port, m) -> {
                if (m == MtlsMode.PERMISSIVE || m == MtlsMode.DISABLE) {
                    weakened.add("port " + port + " " + m + (m == MtlsMode.DISABLE ? " (plaintext only on that port)" : ""));
                }
            });
            if (weakened.isEmpty()) {
                continue;
            }
            String whom;
            if (scope == PeerPolicy.Scope.NAMESPACE) {
                whom = "for every workload in namespace " + p.namespace();
            } else {
                Optional<List<String>> pods = winsFor(mesh, all, p); // each pod by its own istiod's policies
                if (pods.isPresent() && pods.get().isEmpty()) {
                    continue; // every running pod it selects is decided by an older workload policy, or is a gateway
                }
                whom = "for workloads " + p.selector() + pods.map(l -> " (running: " + String.join(", ", l) + ")")
                        .orElse(" (no running pod matches it now)");
            }
            SourceRange at = null;
            for (PlannedObject o : mesh.planned()) {
                if ("PeerAuthentication".equals(o.kind()) && strictBy.id().equals(o.namespace() + "/" + o.name())) {
                    at = o.range("/spec/mtls/mode");
                }
            }
            out.add(Diagnostic.warning("PeerAuthentication " + p.id() + ", which the stack does not manage, sets "
                            + String.join(", ", weakened) + " " + whom,
                    "it weakens the STRICT mTLS that " + strictBy.describe() + " sets there, and Istio applies it (a"
                            + " narrower scope wins, and for one workload the oldest policy); delete it, or declare it"
                            + " (istio.peerAuthentication) if the exception is intended", at));
        }
        return out;
    }

    /**
     * Ports of sidecar pods (as the run leaves them) that the stack's PeerAuthentications make STRICT but that the
     * pod's traffic redirection does not capture: one warning per deciding policy, one line per workload. A port is a
     * declared container port the sidecar does not capture, or one that {@code excludeInboundPorts} names (the
     * application may listen on ports it does not declare); Istio's own 15090, 15021 and 15020 are left out.
     */
    static List<Diagnostic> bypassedStrict(PlannedMesh mesh, PeerAuthentications peers) {
        Map<PeerPolicy, java.util.TreeMap<String, String>> byDecider = new java.util.LinkedHashMap<>();
        for (ReachPod pod : MeshInventory.planned(mesh).pods()) {
            Interception capture = pod.interception();
            if (!pod.sidecar() || pod.gatewayProxy() || pod.hostNetwork() || capture.capturesAll()) {
                continue;
            }
            TreeSet<Integer> candidates = new TreeSet<>();
            pod.ports().forEach(p -> candidates.add(p.number()));
            if ("*".equals(capture.includeInboundPorts())) {
                candidates.addAll(capture.excludeInboundPorts());
            }
            candidates.removeAll(Interception.ALWAYS_EXCLUDED_INBOUND);
            EffectiveMtls mtls = peers.effective(pod); // by the policies its istiod reads
            Map<PeerPolicy, List<String>> lines = new java.util.LinkedHashMap<>();
            if (candidates.isEmpty() && capture.capturesNoInbound() && mtls.mode() == MtlsMode.STRICT) {
                PeerPolicy by = mtls.decidedByWorkloadMode();
                if (by != null && by.origin() != null) {
                    lines.computeIfAbsent(by, k -> new ArrayList<>()).add("every port (" + capture.inboundBypass(0) + ")");
                }
            }
            for (int port : candidates) {
                String why = pod.inboundBypass(port);
                PeerPolicy by = mtls.decidedBy(port);
                if (why != null && mtls.forPort(port) == MtlsMode.STRICT && by != null && by.origin() != null) {
                    lines.computeIfAbsent(by, k -> new ArrayList<>()).add(why);
                }
            }
            lines.forEach((by, whys) -> byDecider.computeIfAbsent(by, k -> new java.util.TreeMap<>())
                    .putIfAbsent(Reachability.clientId(pod), String.join("; ", whys)));
        }
        List<Diagnostic> out = new ArrayList<>();
        byDecider.forEach((by, workloads) -> {
            List<String> lines = new ArrayList<>();
            workloads.forEach((w, why) -> lines.add(w + ": " + why));
            lines.add("these ports never reach the sidecar (the pod's traffic.sidecar.istio.io/* or"
                    + " sidecar.istio.io/interceptionMode, as istio-iptables/istio-cni apply it), so the STRICT mTLS that "
                    + by.describe() + " sets does not apply there: any client, in the mesh or not, reaches the application in"
                    + " plaintext, and sidecar clients' auto-mTLS sends Istio mTLS the application cannot read. If the"
                    + " exception is intended, declare it: an istio.peerAuthentication selecting the workload with portLevelMtls"
                    + " {<port>: {mode: DISABLE}} (clients then send plaintext); otherwise remove the annotation");
            SourceRange at = null;
            for (PlannedObject o : mesh.planned()) {
                if ("PeerAuthentication".equals(o.kind()) && by.id().equals(o.namespace() + "/" + o.name())) {
                    at = o.range("/spec/mtls/mode");
                }
            }
            out.add(Diagnostic.warning(workloads.size() + " workload(s) take ports out of the STRICT mTLS that " + by.describe()
                    + " sets: those ports bypass the sidecar and accept plaintext", String.join("\n", lines), at));
        });
        return out;
    }

    /** The same mesh without {@code p}. */
    static PeerAuthentications without(PeerAuthentications peers, PeerPolicy p) {
        List<PeerPolicy> others = new ArrayList<>(peers.all());
        others.remove(p);
        return new PeerAuthentications(peers.rootNamespace(), others);
    }

    /**
     * The policy that makes {@code namespace} STRICT, when it is the stack's: the namespace-level policy, else the mesh
     * policy it inherits (Istio's namespace-wide mode, {@code GetNamespaceMutualTLSMode}).
     */
    static PeerPolicy stackStrict(PeerAuthentications peers, String namespace) {
        if (peers.namespaceMode(namespace).orElse(MtlsMode.PERMISSIVE) != MtlsMode.STRICT) {
            return null;
        }
        EffectiveMtls wide = peers.effective(namespace, Map.of()); // no labels: no workload policy selects it
        PeerPolicy by = wide.namespace() != null && wide.namespace().mode() != MtlsMode.UNSET ? wide.namespace() : wide.mesh();
        return by != null && by.origin() != null ? by : null;
    }

    /**
     * The running pods for which {@code p} is the workload policy Istio picks; empty Optional when it selects none.
     * A gateway or waypoint pod it selects is never one of them: a PeerAuthentication does not describe what that
     * proxy's listeners accept ({@link ReachPod#gatewayProxy}), so it weakens nothing there, as the other mTLS checks
     * leave those pods out.
     */
    private static Optional<List<String>> winsFor(PlannedMesh mesh, PeerAuthentications peers, PeerPolicy p) {
        List<String> selected = new ArrayList<>();
        TreeSet<String> wins = new TreeSet<>();
        for (ReachPod pod : MeshInventory.pods(mesh.cluster(), null, java.util.Set.of())) {
            if (!p.namespace().equals(pod.namespace()) || !p.selects(pod.labels())) {
                continue;
            }
            String name = pod.namespace() + "/" + pod.name();
            selected.add(name);
            if (!pod.gatewayProxy() && p.equals(peers.effective(pod).workload())) {
                wins.add(name);
            }
        }
        return selected.isEmpty() ? Optional.empty() : Optional.of(List.copyOf(wins));
    }

    /**
     * The install's revision and whether it injects namespaces by default: which pods have sidecars once the
     * planned labels take effect ({@link MeshInventory#planned}) depends on them (the mesh config it reads in drift is
     * the live one, {@link PlannedMesh#meshConfig}); a digest in either of the two fields leaves the pods' sidecars unknown.
     */
    @Override
    public java.util.Set<String> installFields() {
        return Injectors.INSTALL_FIELDS;
    }
}

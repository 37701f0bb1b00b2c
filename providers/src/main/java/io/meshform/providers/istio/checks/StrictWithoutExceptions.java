package io.meshform.providers.istio.checks;

import io.meshform.providers.istio.injection.Injectors;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.SourceRange;
import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.istio.policy.EffectiveMtls;
import io.meshform.providers.istio.policy.ReachPod;
import io.meshform.providers.istio.policy.MtlsMode;
import io.meshform.providers.istio.policy.PeerAuthentications;
import io.meshform.providers.istio.policy.PeerPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * STRICT mTLS over a running pod that cannot do mTLS (the Cortex guide's MongoDB, Redis, MinIO, the MinIO bucket job,
 * Spark driver and executors, known by their charts' labels): the effective mode of each of its container ports is
 * computed with Istio's own precedence ({@link PeerAuthentications}: mesh, namespace and workload policies, the oldest
 * winning a tie, root-namespace selectors ignored, UNSET inheriting, port-level overrides keyed by container port;
 * pilot/pkg/security/authn/policy_applier.go), against the pod's actual labels. Pods without a sidecar once restarted
 * ({@link MeshInventory}: the namespace's injection is off after the plan, or the injector never injects them) are left
 * out: a PeerAuthentication acts in the server's sidecar, and so are gateway and waypoint pods, whose listeners istiod
 * builds without it ({@link ReachPod#gatewayProxy}; pilot/pkg/networking/core/listener.go). The same pods, sidecars and composed modes the mTLS
 * reachability preview reads; this check names the guide's workloads whoever calls them. A port the pod's traffic
 * redirection does not capture ({@code traffic.sidecar.istio.io/excludeInboundPorts}, an {@code includeInboundPorts}
 * list without it, {@code interceptionMode: NONE}; {@link io.meshform.providers.istio.policy.Interception}) never
 * reaches the sidecar, so STRICT does not reach it: such a port is no finding (the guide's other way out for MongoDB).
 * Runs when the stack declares PeerAuthentications.
 */
public final class StrictWithoutExceptions extends MeshCheck {
    /**
     * Workloads of the Cortex guide that cannot speak mTLS, by the labels their packaged charts give them: MongoDB,
     * Redis and MinIO (the guide's own words), MinIO's bucket job and the Spark driver and executors.
     */
    public static final List<Map<String, String>> NON_MTLS_WORKLOADS = List.of(
            Map.of("app.kubernetes.io/name", "mongodb"),
            Map.of("app.kubernetes.io/name", "redis"),
            Map.of("app", "redis"),
            Map.of("app.kubernetes.io/name", "minio"),
            Map.of("app", "minio"),
            Map.of("app", "minio-job"),
            Map.of("spark-role", "driver"),
            Map.of("spark-role", "executor"));

    StrictWithoutExceptions(Function<CheckContext, PlannedMesh> mesh) {
        super("strict-without-exceptions", NEEDS_CLUSTER, mesh, StrictWithoutExceptions::findings);
    }

    /** One pod under STRICT: which ports (empty: every port, none declared), and what decided. */
    private record Finding(String pod, Map<String, String> known, TreeSet<Integer> strictPorts, EffectiveMtls mtls,
                           List<String> leftOut) {
    }

    /**
     * The stack's PeerAuthentications a --target or --exclude plan leaves out that would exempt the pod once applied:
     * composed with the judged ones by Istio's own precedence ({@link PeerAuthentications}; {@code ComposePeerAuthentication},
     * pilot/pkg/security/authn/policy_applier.go), each keeping the live creation time of the policy it replaces or
     * else created last, the one that then decides a STRICT port (or, with no port declared, the workload's mode) and
     * makes it PERMISSIVE or DISABLE. So a namespace-level policy does not exempt a pod a workload-level STRICT policy
     * selects, nor a new workload-level one a pod an older workload-level STRICT policy selects (the oldest wins).
     */
    private static List<String> leftOutExceptions(PlannedMesh mesh, ReachPod pod, TreeSet<Integer> strictPorts) {
        String ns = pod.namespace();
        Map<String, PeerPolicy> composed = new LinkedHashMap<>();
        mesh.peerPolicies().forEach(p -> composed.put(p.id(), p));
        java.util.Set<PeerPolicy> leftOut = new java.util.HashSet<>();
        for (PlannedObject o : PlannedObject.declaredNotPlanned(mesh.context())) {
            if (!"PeerAuthentication".equals(o.kind()) || !(ns.equals(o.namespace()) || mesh.rootNamespace().equals(o.namespace()))
                    || !mesh.readByIstiod(o.object())) {
                continue;  // another namespace's, or one no istiod will read (labelled with a revision none serves)
            }
            PeerPolicy live = composed.get(o.namespace() + "/" + o.name());
            PeerPolicy p = PeerPolicy.of(o.namespace(), o.name(), live == null ? null : live.created(), o.object().path("spec"),
                    o.decl().address().toString()).withRevision(io.meshform.providers.istio.policy.ConfigRevision.of(o.object()));
            composed.put(p.id(), p);
            leftOut.add(p);
        }
        if (leftOut.isEmpty()) {
            return List.of();
        }
        EffectiveMtls after = new PeerAuthentications(mesh.rootNamespace(), composed.values()).effective(pod);
        TreeSet<String> out = new TreeSet<>();
        if (strictPorts.isEmpty()) {
            PeerPolicy decider = after.decidedByWorkloadMode();
            if (after.mode() != MtlsMode.STRICT && leftOut.contains(decider)) {
                out.add(decider.origin());
            }
        }
        for (int port : strictPorts) {
            PeerPolicy decider = after.decidedBy(port);
            if (after.forPort(port) != MtlsMode.STRICT && leftOut.contains(decider)) {
                out.add(decider.origin());
            }
        }
        return List.copyOf(out);
    }

    public static List<Diagnostic> findings(PlannedMesh mesh) {
        if (mesh.declaredPeers().isEmpty()) {
            return List.of();
        }
        PeerAuthentications peers = mesh.peers();
        Map<PeerPolicy, List<Finding>> byDecider = new LinkedHashMap<>();
        // the pods as the run leaves them, each with the sidecar it has once restarted (MeshInventory's one rule)
        for (ReachPod pod : MeshInventory.planned(mesh).pods()) {
            Map<String, String> labels = pod.labels();
            Map<String, String> known = NON_MTLS_WORKLOADS.stream()
                    .filter(w -> labels.entrySet().containsAll(w.entrySet())).findFirst().orElse(null);
            String ns = pod.namespace();
            if (known == null || !pod.sidecar() || pod.gatewayProxy()) {
                continue; // no PeerAuthentication acts on a gateway's or waypoint's listeners (ReachPod#gatewayProxy)
            }
            EffectiveMtls mtls = peers.effective(pod); // by the policies its istiod reads
            // Only the ports its sidecar captures: an excluded one (traffic.sidecar.istio.io/excludeInboundPorts, an
            // includeInboundPorts list without it) reaches the application directly, where no PeerAuthentication acts.
            TreeSet<Integer> ports = new TreeSet<>();
            pod.ports().stream().filter(p -> pod.sidecarHandles(p.number())).forEach(p -> ports.add(p.number()));
            if (ports.isEmpty() && (!pod.ports().isEmpty() || pod.interception().capturesNoInbound())) {
                continue; // every declared port bypasses the sidecar, or it captures no port at all
            }
            TreeSet<Integer> strict = new TreeSet<>();
            ports.forEach(p -> {
                if (mtls.forPort(p) == MtlsMode.STRICT) {
                    strict.add(p);
                }
            });
            boolean hit = ports.isEmpty() ? mtls.mode() == MtlsMode.STRICT : !strict.isEmpty();
            if (!hit) {
                continue;
            }
            TreeSet<Integer> strictPorts = ports.isEmpty() ? new TreeSet<>() : strict;
            Finding f = new Finding(ns + "/" + pod.name(), known, strictPorts, mtls, leftOutExceptions(mesh, pod, strictPorts));
            PeerPolicy decider = ports.isEmpty() ? mtls.decidedByWorkloadMode() : mtls.decidedBy(strict.first());
            if (decider != null) { // STRICT always comes from a policy: Istio's default is PERMISSIVE
                byDecider.computeIfAbsent(decider, k -> new ArrayList<>()).add(f);
            }
        }
        List<Diagnostic> out = new ArrayList<>();
        byDecider.forEach((decider, found) -> out.add(diagnostic(mesh, decider, found)));
        return out;
    }

    private static Diagnostic diagnostic(PlannedMesh mesh, PeerPolicy decider, List<Finding> found) {
        List<String> lines = new ArrayList<>();
        for (Finding f : found) {
            StringBuilder line = new StringBuilder(f.pod()).append(" (").append(f.known().entrySet().iterator().next())
                    .append("): ").append(f.strictPorts().isEmpty() ? "STRICT on every port" : "STRICT on port(s) "
                            + f.strictPorts());
            if (!f.mtls().outranked().isEmpty()) {
                line.append("; ").append(String.join(", ", f.mtls().outranked().stream().map(PeerPolicy::describe).toList()))
                        .append(" also select(s) it but Istio keeps the oldest workload policy, ")
                        .append(f.mtls().workload().describe());
            }
            lines.add(line.toString());
        }
        String scope = switch (decider.scope(mesh.rootNamespace())) {
            case MESH -> "mesh-wide";
            case NAMESPACE -> "namespace-wide";
            default -> "workload";
        };
        List<String> leftOut = found.stream().flatMap(f -> f.leftOut().stream()).distinct().sorted().toList();
        String whom = found.stream().allMatch(f -> !f.leftOut().isEmpty()) ? "them" : "some of them";
        lines.add("Istio composes mesh, namespace and workload PeerAuthentications for each pod (the oldest wins within a"
                + " level; port-level settings are container ports): these pods get STRICT from " + decider.describe()
                + ". " + (leftOut.isEmpty() ? "" : "The stack's " + String.join(", ", leftOut) + " exempts "
                + whom + ", but "
                + LeftOutOfPlan.advice(leftOut) + ". For any other pod: ")
                + "Add, in each pod's namespace, a PeerAuthentication with mtls.mode PERMISSIVE and a selector that matches"
                + " the pod's labels (e.g. the label shown), as the Cortex guide's mongo, minio-make-bucket, spark-driver and"
                + " spark-executor do; the guide recommends running Redis and MinIO outside the cluster instead");
        SourceRange at = null;
        for (PlannedObject o : mesh.planned()) {
            if ("PeerAuthentication".equals(o.kind()) && decider.id().equals(o.namespace() + "/" + o.name())) {
                at = o.range("/spec/mtls/mode");
            }
        }
        return Diagnostic.warning(found.size() + " pod(s) that cannot do mTLS get " + scope + " STRICT mTLS from "
                + decider.describe() + (leftOut.isEmpty() ? "" : " (the stack's " + String.join(", ", leftOut)
                + ", which exempts " + whom + ", is left out of this plan)"), String.join("\n", lines), at);
    }

    /**
     * The install's revision and whether it injects namespaces by default: which pods have sidecars once the
     * planned labels take effect ({@link MeshInventory#planned}) depends on them (the mesh config it reads in drift is
     * the live one, {@link PlannedMesh#meshConfig}); a digest in either of the two fields leaves the pods' sidecars unknown.
     */
    /** STRICT over a workload that cannot do mTLS refuses its plaintext connections; it lets nothing through. */
    @Override
    public Concern concern(io.meshform.engine.diag.Diagnostic finding) {
        return Concern.DEGRADES;
    }

    @Override
    public java.util.Set<String> installFields() {
        return Injectors.INSTALL_FIELDS;
    }
}

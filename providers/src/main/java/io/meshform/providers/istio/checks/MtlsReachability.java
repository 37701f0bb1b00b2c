package io.meshform.providers.istio.checks;

import io.meshform.providers.istio.injection.Injectors;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.SourceRange;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.CheckContext.Purpose;
import io.meshform.providers.istio.policy.CallerType;
import io.meshform.providers.istio.policy.PeerPolicy;
import io.meshform.providers.istio.policy.ReachDiff;
import io.meshform.providers.istio.policy.Reachability;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * The mTLS reachability preview: which client-to-server connections the plan breaks or newly leaves plaintext
 * ({@link Reachability} before and after, compared by {@link ReachDiff}), one warning per server port and kind of
 * breakage naming the clients and the exception that would fix it, and one summary line. A plan's "before" is the
 * live cluster, its "after" the live cluster as the plan leaves it; drift compares what was applied with the live
 * cluster and reports every connection the live cluster breaks. Connections newly plaintext are notes (info), so
 * {@code --strict} refuses exactly the plans that break a connection.
 */
public final class MtlsReachability extends MeshCheck {
    /** Clients named in a summary line before "and N more"; the detail lists them all up to {@link #LISTED}. */
    private static final int NAMED = 4;
    private static final int LISTED = 200;
    /** What a drift finding says of a connection that went plaintext where mTLS was applied. */
    static final String PLAINTEXT_LIVE = "plaintext in the live cluster (mTLS as applied)";

    MtlsReachability(Function<CheckContext, PlannedMesh> mesh) {
        super("mtls-reachability", NEEDS_CLUSTER, mesh, MtlsReachability::findings);
    }

    public static List<Diagnostic> findings(PlannedMesh mesh) {
        CheckContext ctx = mesh.context();
        if (ctx.purpose() == Purpose.VALIDATE || (!mesh.cluster().controlPlane() && mesh.install().isEmpty())) {
            return List.of(); // no cluster, or no Istio to enforce anything
        }
        boolean drift = ctx.purpose() == Purpose.DRIFT;
        List<String> digested = drift ? digestedMeshSettings(mesh) : List.of();
        if (!digested.isEmpty()) {
            // What was applied is judged from the install as the state records it: a digest as the root namespace
            // would make the mesh-wide policy apply to nothing "as applied", and every connection it breaks "new".
            ResourceDecl install = mesh.install().orElseThrow();
            return List.of(Diagnostic.info("mTLS reachability: cannot compare the live cluster with what was applied: "
                    + install.address() + "'s " + String.join(", ", digested.stream().map(CheckSupport::dotted).toList())
                    + " " + (digested.size() == 1 ? CheckSupport.DIGEST_ONLY : "were applied as sensitive values, which the"
                    + " state records only by their digests"), AppliedDigests.detail(ctx, install, digested), null));
        }
        Reachability live = new Reachability(MeshInventory.live(mesh, !drift));
        Reachability before = drift ? new Reachability(MeshInventory.planned(MeshInventory.asApplied(mesh))) : live;
        Reachability after = drift ? live : new Reachability(MeshInventory.planned(mesh));
        if (after.servers().isEmpty()) {
            return List.of();
        }
        ReachDiff diff = ReachDiff.between(before, after, drift);
        List<Diagnostic> out = new ArrayList<>();
        for (ReachDiff.Change c : diff.changes()) {
            out.add(diagnostic(mesh, after, c, drift));
        }
        String summary = drift
                ? "mTLS reachability: the live cluster breaks " + (diff.breaks() + diff.stillBroken()) + " connection(s), "
                        + diff.newlyPlaintext() + " newly plaintext against what was applied (" + diff.pairs() + " compared)"
                : "mTLS reachability: this plan breaks " + diff.breaks() + " connection(s), leaves " + diff.newlyPlaintext()
                        + " newly plaintext, repairs " + diff.repaired() + "; " + diff.stillBroken() + " broken already ("
                        + diff.pairs() + " client-to-port connections compared)";
        // A caller is no object of the cluster: one a --target or --exclude plan leaves out is in neither side of the
        // comparison, so a connection of it that the plan breaks goes unseen. Say which, and how to count them.
        List<String> callers = LeftOutOfPlan.ofType(ctx, CallerType.NAME).stream().map(d -> d.address().toString()).toList();
        if (!callers.isEmpty()) {
            summary += "; " + callers.size() + " istio.caller of the stack not counted (this plan leaves "
                    + (callers.size() == 1 ? "it" : "them") + " out)";
        }
        // Which pods get a sidecar rests on each serving revision's injector policy: one that could not be read was
        // taken as Istio's defaults, and the counts above may be wrong for its namespaces. Say which, as for callers.
        java.util.Map<String, String> assumedRevisions = MeshInventory.assumedPolicies(mesh);
        java.util.Optional<String> assumed = Injectors.assumedNote(assumedRevisions);
        if (assumed.isPresent()) {
            summary += "; the injector policy of " + String.join(", ", assumedRevisions.keySet().stream()
                    .map(r -> "revision " + r).toList()) + " was assumed";
        }
        out.add(0, Diagnostic.info(summary, "every workload of the cluster may call every server port (clients by"
                + " namespace, sidecar and labels, plus the stack's istio.caller entries" + (callers.isEmpty() ? ""
                : " this plan includes") + "); per server port: what the client"
                + " sends (sidecar, DestinationRule tls, auto-mTLS) against what the server's composed PeerAuthentication"
                + " accepts. " + (drift ? "`drift --format json`" : "`plan --json`") + " carries each pair in the"
                + " diagnostics" + (callers.isEmpty() ? ""
                : "\nnot counted: " + String.join(", ", callers) + "; " + LeftOutOfPlan.advice(callers))
                + assumed.map(a -> "\n" + a).orElse(""), null));
        return out;
    }

    /**
     * The mesh settings the reachability model reads from the applied install ({@link MeshInventory#planned}: the root
     * namespace, auto-mTLS, the default DestinationRule export) that the state holds as digests, as spec pointers.
     */
    private static List<String> digestedMeshSettings(PlannedMesh mesh) {
        List<String> out = new ArrayList<>();
        mesh.install().ifPresent(d -> {
            JsonNode spec = CheckSupport.after(mesh.context(), d);
            for (String field : List.of("rootNamespace", "enableAutoMtls", "defaultDestinationRuleExportTo")) {
                JsonNode v = spec.path("meshConfig").path(field);
                boolean digest = CheckSupport.digested(v) || (v.isArray() && java.util.stream.StreamSupport.stream(
                        v.spliterator(), false).anyMatch(CheckSupport::digested));
                if (digest) {
                    out.add("/meshConfig/" + field);
                }
            }
        });
        return out;
    }

    private static Diagnostic diagnostic(PlannedMesh mesh, Reachability after, ReachDiff.Change c, boolean drift) {
        List<String> clients = c.clients();
        String named = String.join(", ", clients.subList(0, Math.min(NAMED, clients.size())))
                + (clients.size() > NAMED ? " and " + (clients.size() - NAMED) + " more" : "");
        String what = switch (c.kind()) {
            case BREAKS -> drift ? "broken in the live cluster (it worked as applied)" : "breaks";
            case BROKEN -> "broken in the live cluster";
            case NEWLY_PLAINTEXT -> drift ? PLAINTEXT_LIVE : "goes plaintext (was mTLS)";
        };
        String summary = "mTLS: " + named + " -> " + c.pair() + " " + what
                + (c.problem() == null ? "" : ": " + problem(c.problem()));
        StringBuilder detail = new StringBuilder();
        detail.append("why: ").append(String.join("; ", c.whys()));
        Reachability.Server server = after.servers().values().stream().filter(s -> s.id().equals(c.server())).findFirst().orElse(null);
        PeerPolicy decider = null;
        if (server != null) {
            String bypass = server.pod().inboundBypass(c.containerPort());
            detail.append("\nserver mTLS: ").append(!server.pod().sidecar() ? "no sidecar (plaintext only)"
                    : server.pod().gatewayProxy() ? bypass
                    : bypass != null ? "port " + c.containerPort() + " bypasses the sidecar (" + bypass + "): the application"
                            + " accepts plaintext from anyone there, and " + server.mtls().describe() + " does not apply to it"
                    : server.mtls().describe());
            decider = server.pod().sidecarHandles(c.containerPort()) ? server.mtls().decidedBy(c.containerPort()) : null;
        }
        detail.append("\nclients (").append(clients.size()).append("): ")
                .append(String.join(", ", clients.subList(0, Math.min(LISTED, clients.size()))))
                .append(clients.size() > LISTED ? " and " + (clients.size() - LISTED) + " more" : "");
        detail.append("\nfix: ").append(c.fix());
        SourceRange at = null;
        if (decider != null) {
            for (PlannedObject o : mesh.planned()) {
                if ("PeerAuthentication".equals(o.kind()) && decider.id().equals(o.namespace() + "/" + o.name())) {
                    at = o.range("/spec/mtls/mode");
                }
            }
        }
        return c.kind() == ReachDiff.Kind.NEWLY_PLAINTEXT && !drift ? Diagnostic.info(summary, detail.toString(), at)
                : Diagnostic.warning(summary, detail.toString(), at);
    }

    private static String problem(Reachability.Problem p) {
        return switch (p) {
            case PLAINTEXT_TO_STRICT -> "plaintext to a port that requires mTLS";
            case TLS_TO_STRICT -> "TLS that is not Istio's to a port that requires Istio mTLS";
            case SERVER_FIRST_PERMISSIVE -> "plaintext to a server-first port under PERMISSIVE (stalls)";
            case SERVER_FIRST_SNIFFED -> "a server-first port whose protocol Istio sniffs (stalls)";
            case MTLS_TO_NO_SIDECAR -> "Istio mTLS to a pod without a sidecar";
            case MTLS_TO_UNCAPTURED_PORT -> "Istio mTLS to a port that bypasses the sidecar (traffic.sidecar.istio.io)";
            case MTLS_TO_GATEWAY_PROXY -> "Istio mTLS to a gateway or waypoint proxy, which has no sidecar";
            case MTLS_TO_DISABLE -> "Istio mTLS to a port with mTLS DISABLE";
        };
    }

    /**
     * The install's revision and whether it injects namespaces by default: which pods have sidecars once the
     * planned labels take effect ({@link MeshInventory#planned}) depends on them (it judges each digest of the mesh
     * config it reads itself, field by field); a digest in either of the two fields leaves the pods' sidecars unknown.
     */
    /**
     * A connection that STRICT breaks is refused, not let through; one that went plaintext where mTLS was applied
     * ({@link #PLAINTEXT_LIVE}, drift only) is a weakening.
     */
    @Override
    public Concern concern(Diagnostic finding) {
        return finding.summary().contains(PLAINTEXT_LIVE) ? Concern.WEAKENS : Concern.DEGRADES;
    }

    @Override
    public java.util.Set<String> installFields() {
        return Injectors.INSTALL_FIELDS;
    }
}

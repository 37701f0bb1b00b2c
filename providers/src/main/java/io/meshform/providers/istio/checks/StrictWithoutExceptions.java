package io.meshform.providers.istio.checks;

import static io.meshform.providers.istio.checks.CheckSupport.after;
import static io.meshform.providers.istio.checks.CheckSupport.range;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.PlanCheck;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.kubernetes.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * (b) Mesh-wide STRICT (root namespace, no selector) while pods that cannot do mTLS run without a PERMISSIVE
 * exception (a PeerAuthentication in their namespace whose selector matches them).
 */
public final class StrictWithoutExceptions implements PlanCheck {
    private final NonMtlsWorkloads pods;

    StrictWithoutExceptions(NonMtlsWorkloads pods) {
        this.pods = pods;
    }

    @Override
    public String name() {
        return "strict-without-exceptions";
    }

    @Override
    public List<Diagnostic> check(CheckContext ctx) {
        return findings(ctx, pods::matching);
    }

    public static List<Diagnostic> findings(CheckContext ctx, Function<Map<String, String>, List<String>> podsOf) {
        List<Diagnostic> out = new ArrayList<>();
        List<ResourceDecl> peers = ctx.declared(Mesh.PEER_AUTHENTICATION_TYPE);
        for (ResourceDecl d : peers) {
            JsonNode s = after(ctx, d);
            boolean meshWide = Mesh.ROOT_NAMESPACE.equals(Json.text(s, "namespace")) && !s.has("selector");
            if (!meshWide || !"STRICT".equals(Json.text(s.path("mtls"), "mode"))) {
                continue;
            }
            TreeSet<String> uncovered = new TreeSet<>();
            for (Map<String, String> selector : NonMtlsWorkloads.NON_MTLS_WORKLOADS) {
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
}

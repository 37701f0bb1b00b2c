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
 * An object meshform does not manage that weakens what the stack declares: a PeerAuthentication in a namespace
 * the stack makes STRICT (mesh-wide or namespace-wide) that sets PERMISSIVE or DISABLE. A drift check shows it
 * although it is in no state; a plan warns before STRICT is relied on.
 */
public final class UnmanagedWeakerMtls implements PlanCheck {
    private final Function<String, Map<String, JsonNode>> livePeers;

    UnmanagedWeakerMtls(Function<String, Map<String, JsonNode>> livePeers) {
        this.livePeers = livePeers;
    }

    @Override
    public String name() {
        return "unmanaged-weaker-mtls";
    }

    @Override
    public List<Diagnostic> check(CheckContext ctx) {
        return findings(ctx, livePeers);
    }

    public static List<Diagnostic> findings(CheckContext ctx, Function<String, Map<String, JsonNode>> livePeers) {
        List<ResourceDecl> peers = ctx.declared(Mesh.PEER_AUTHENTICATION_TYPE);
        ResourceDecl meshWide = null;
        Map<String, ResourceDecl> strictNamespaces = new java.util.TreeMap<>();
        java.util.Set<String> managed = new java.util.HashSet<>();
        for (ResourceDecl d : peers) {
            JsonNode s = after(ctx, d);
            String ns = Json.text(s, "namespace");
            managed.add(ns + "/" + Json.text(s, "name", d.address().name()));
            if ("STRICT".equals(Json.text(s.path("mtls"), "mode")) && !s.has("selector")) {
                if (Mesh.ROOT_NAMESPACE.equals(ns)) {
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
            ctx.declared(CheckSupport.LABELS_TYPE).forEach(d -> watched.add(Json.text(after(ctx, d), "name")));
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
}

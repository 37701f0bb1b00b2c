package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.SourceRange;
import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.istio.policy.PeerAuthentications;
import io.meshform.providers.istio.policy.PeerPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Two selector-less PeerAuthentications in one namespace (two mesh-level ones in the root namespace, or two
 * namespace-level ones elsewhere), one of them the stack's: istiod keeps the oldest and ignores the others with only a
 * log line ("Namespace/mesh-level PeerAuthentication is already defined", {@code addPeerAuthentication} in
 * pilot/pkg/model/authentication.go; ties go to the smaller name, {@code sortConfigByCreationTime} in
 * pilot/pkg/model/config.go). Which one decides mTLS for the whole mesh or namespace then depends on the order they were
 * applied in: an error. Judged on the cluster after the plan (validate: the stack alone).
 */
public final class ConflictingPeerAuthentications extends MeshCheck {
    ConflictingPeerAuthentications(Function<CheckContext, PlannedMesh> mesh) {
        super("conflicting-peer-authentications", STACK_ONLY, mesh, ConflictingPeerAuthentications::findings);
    }

    public static List<Diagnostic> findings(PlannedMesh mesh) {
        PeerAuthentications peers = mesh.peers();
        Map<String, PlannedObject> declared = new java.util.HashMap<>();
        mesh.planned().forEach(o -> declared.put(o.namespace() + "/" + o.name() + "/" + o.kind(), o));
        List<Diagnostic> out = new ArrayList<>();
        // Each istiod keeps the oldest of the selector-less policies it reads (PeerAuthentications#servedBy): two
        // labelled for different revisions (a namespace's policy copied for the canary) conflict nowhere.
        Map<List<PeerPolicy>, java.util.TreeSet<String>> pairs = new java.util.LinkedHashMap<>();
        peers.views(mesh.servedRevisions()).forEach((r, view) -> {
            view.shadowed().forEach((ignored, kept) -> {
                var by = pairs.computeIfAbsent(List.of(ignored, kept), k -> new java.util.TreeSet<>());
                if (ignored.revision() != null || kept.revision() != null) {
                    by.add(r);
                }
            });
        });
        pairs.forEach((pair, by) -> {
            PeerPolicy ignored = pair.get(0);
            PeerPolicy kept = pair.get(1);
            if (ignored.origin() == null && kept.origin() == null) {
                return; // neither is the stack's: not this plan's to decide
            }
            boolean mesh1 = peers.rootNamespace().equals(kept.namespace());
            String level = mesh1 ? "mesh-level" : "namespace-level";
            PeerPolicy stacks = ignored.origin() != null ? ignored : kept;
            PlannedObject o = declared.get(stacks.id() + "/PeerAuthentication");
            SourceRange at = o == null ? null : o.range("");
            // Both new: neither has a creation time yet, and which one apply creates first decides (sortConfigByCreationTime
            // compares names only when the times, whole seconds, are equal), so the smaller name is kept only then.
            String keeps = kept.created() == null && ignored.created() == null
                    ? "Istio keeps the one created first (" + kept.describe() + " if both are created in the same second, by"
                    + " its smaller name) and ignores the other (" + ignored.describe() + ")"
                    : "Istio keeps " + kept.describe() + " and ignores " + ignored.describe();
            String whose = by.isEmpty() ? "" : " (for the proxies of revision " + String.join(", ", by) + ", whose istiod reads both)";
            out.add(Diagnostic.error("two " + level + " PeerAuthentications in " + kept.namespace() + whose + ": " + keeps,
                    "istiod keeps the oldest selector-less PeerAuthentication of a namespace (equal creation times: the smaller"
                            + " name) and ignores the rest, so " + (mesh1 ? "the whole mesh's" : "namespace " + kept.namespace()
                            + "'s") + " mTLS (" + kept.describe() + ": " + kept.mode() + "; ignored: " + ignored.mode()
                            + ") would depend on the order they were created. Keep one: delete the other, or give it a"
                            + " selector" + (mesh1 ? " in the workloads' namespace" : "") + ", or change the one that is kept",
                    at));
        });
        return out;
    }

    /** None: in drift the mesh config it reads is the live one ({@link PlannedMesh#meshConfig}), not the applied install. */
    @Override
    public java.util.Set<String> installFields() {
        return java.util.Set.of();
    }
}

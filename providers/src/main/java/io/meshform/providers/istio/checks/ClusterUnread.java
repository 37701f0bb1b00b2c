package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.CheckContext.Purpose;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What the mesh checks could not read from the cluster. Their reads stand in an empty answer for a refused one (so the
 * other checks still run), and a check cannot tell "none" from "not allowed to look": with PeerAuthentications
 * unreadable, a drift found no policy that weakens STRICT and said "No drift", exit 0; with pods unreadable, it said a
 * policy's selector matches no running pod. So every failed read is said here. In drift it fails the run, as a
 * failed read of a resource does (exit 1, as Terraform's refresh errors): a nightly report that could not look is
 * neither "No drift" nor a finding about the cluster. In a plan it is a warning, which {@code --strict} refuses: the
 * plan's own reads succeeded, only what the checks say rests on less.
 */
public final class ClusterUnread extends MeshCheck {
    ClusterUnread(Function<CheckContext, PlannedMesh> mesh) {
        super("cluster-reads", NEEDS_CLUSTER, mesh, ClusterUnread::findings);
    }

    public static List<Diagnostic> findings(PlannedMesh mesh) {
        Map<String, String> unread = mesh.cluster().unread();
        if (unread.isEmpty()) {
            return List.of();
        }
        List<String> lines = new ArrayList<>();
        unread.forEach((what, why) -> lines.add(what + ": " + why));
        String summary = "the mesh checks could not read " + String.join(", ", unread.keySet()) + " from the cluster";
        boolean drift = mesh.context().purpose() == Purpose.DRIFT;
        String detail = String.join("; ", lines) + (drift ? ". drift stops rather than report on a mesh it could not see."
                : ". The checks judged those as if there were none, so what they say about them is not known to be true.")
                + " Grant the account get and list on them cluster-wide (the ClusterRole in examples/drift-cronjob.yaml lists"
                + " what drift reads), or run with an account that has them";
        if (drift) {
            throw new DiagnosticsException(Diagnostic.error("drift could not check the mesh: " + summary, detail, null));
        }
        return List.of(Diagnostic.warning(summary, detail, null));
    }

    /** None: it reads no field of the install. */
    @Override
    public java.util.Set<String> installFields() {
        return java.util.Set.of();
    }
}

package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.istio.policy.ConfigRevision;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * An Istio object of the stack labelled {@code istio.io/rev} with a revision no istiod serves after the plan (the live
 * istiod Deployments and the stack's installs, {@link PlannedMesh#servedRevisions}): every istiod ignores it
 * ({@link ConfigRevision}: {@code inRevision}, pilot/pkg/config/kube/crdclient/client.go, and {@code LabelsInRevision},
 * pkg/config/model.go, Istio 1.30.3), so a STRICT PeerAuthentication so labelled leaves the mesh as it was and a DENY
 * policy denies nothing. The other mesh checks leave such objects out of the mesh they judge. A revision tag does not
 * count: istiod compares the label with its own revision only. Needs the cluster (validate does not know which
 * revisions run).
 */
public final class ConfigRevisionIgnored extends MeshCheck {
    ConfigRevisionIgnored(Function<CheckContext, PlannedMesh> mesh) {
        super("config-revision-ignored", NEEDS_CLUSTER, mesh, ConfigRevisionIgnored::findings);
    }

    public static List<Diagnostic> findings(PlannedMesh mesh) {
        List<Diagnostic> out = new ArrayList<>();
        Set<String> served = mesh.servedRevisions();
        for (PlannedObject o : mesh.planned()) {
            String rev = ConfigRevision.of(o.object());
            if (!o.istio() || !ConfigRevision.ignored(rev, served)) {
                continue;
            }
            out.add(Diagnostic.warning(o.decl().address() + ": no istiod reads " + o.friendlyName() + ": it is labelled "
                            + ConfigRevision.LABEL + "=" + rev + ", and " + (served.size() == 1 ? "the control plane serves revision "
                            : "the control planes serve revisions ") + String.join(", ", served),
                    "an istiod reads only Istio objects without " + ConfigRevision.LABEL + " or labelled with its own revision"
                            + " (inRevision, pilot/pkg/config/kube/crdclient/client.go; revision tags do not count), so this"
                            + " object changes nothing in the mesh and the other checks leave it out. Remove the label, or set"
                            + " it to the revision that should read it", o.range("/metadata/labels/istio.io~1rev")));
        }
        return out;
    }

    /** None: it reads the stack's objects' labels and the revisions, not the install's fields. */
    @Override
    public Set<String> installFields() {
        return Set.of();
    }
}

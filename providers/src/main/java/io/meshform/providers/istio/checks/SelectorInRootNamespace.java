package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.istio.policy.PeerPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A PeerAuthentication with a selector in the root namespace (the mesh config's {@code rootNamespace}): Istio ignores
 * it for every workload ({@code ComposePeerAuthentication}, pilot/pkg/security/authn/policy_applier.go: a policy with
 * a selector counts only outside the root namespace; Istio's test "ignore non-emptypb selector in root namespace").
 * Unlike an AuthorizationPolicy, which with a selector in the root namespace applies mesh-wide.
 */
public final class SelectorInRootNamespace extends MeshCheck {
    SelectorInRootNamespace(Function<CheckContext, PlannedMesh> mesh) {
        super("selector-in-root-namespace", STACK_ONLY, mesh, SelectorInRootNamespace::findings);
    }

    public static List<Diagnostic> findings(PlannedMesh mesh) {
        List<Diagnostic> out = new ArrayList<>();
        String root = mesh.rootNamespace();
        for (PlannedObject o : mesh.planned()) {
            if (!"PeerAuthentication".equals(o.kind()) || !root.equals(o.namespace())) {
                continue;
            }
            PeerPolicy p = PeerPolicy.of(o.namespace(), o.name(), null, o.object().path("spec"), null);
            if (p.scope(root) == PeerPolicy.Scope.IGNORED) {
                out.add(Diagnostic.warning(o.decl().address() + ": Istio ignores this PeerAuthentication: it has a selector and"
                                + " is in the root namespace " + root + " (" + mesh.meshConfig().source() + ")",
                        "a root-namespace PeerAuthentication acts only without a selector, as the mesh-wide policy; a selector"
                                + " there matches no workload, in " + root + " or elsewhere. Move it to the workloads'"
                                + " namespace to make an exception", o.range("/spec/selector")));
            }
        }
        return out;
    }

    /** None: in drift the mesh config it reads is the live one ({@link PlannedMesh#meshConfig}), not the applied install. */
    @Override
    public java.util.Set<String> installFields() {
        return java.util.Set.of();
    }
}

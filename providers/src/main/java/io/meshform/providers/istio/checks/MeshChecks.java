package io.meshform.providers.istio.checks;

import io.meshform.engine.spi.PlanCheck;
import io.meshform.providers.istio.injection.ProxySkew;
import io.meshform.providers.kubernetes.KubeConnection;
import java.util.List;

/**
 * The registry of mesh safety checks: things the API server accepts silently but that break or weaken the mesh.
 * One check per file in this package, each a {@link PlanCheck} with its name; a new check is a new file here and a
 * line below. What several checks share lives in {@link CheckSupport} (and the live readers beside it), never in a
 * check, so checks do not depend on each other. The policy model Istio's precedence rules need (which
 * PeerAuthentication applies to which pod and port) belongs in {@code istio.policy}, for every check to ask.
 */
public final class MeshChecks {

    private MeshChecks() {
    }

    /** Every check, with live reads through {@code kube} (each reads only when its stack gives it something to judge). */
    public static List<PlanCheck> all(KubeConnection kube) {
        return List.of(
                new SelectorInRootNamespace(),
                new StrictWithoutExceptions(new NonMtlsWorkloads(kube)),
                new CustomProviderDeclared(),
                new TracingProviderDeclared(),
                new InjectionLabelAndRevision(),
                new InjectionWithoutSidecars(new InjectionWithoutSidecars.LiveCluster(kube)),
                new ProductionAddons(),
                new AuthProxyRisks(),
                new AuthorizationSelectsNothing(new SelectorPods(kube)),
                new ProxyVersionSkew(() -> ProxySkew.injectedPods(kube)),
                new UnmanagedWeakerMtls(ns -> CheckSupport.peerAuthentications(kube, ns)));
    }
}

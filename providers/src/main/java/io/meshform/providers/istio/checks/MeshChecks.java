package io.meshform.providers.istio.checks;

import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.PlanCheck;
import io.meshform.providers.istio.core.Istioctl;
import io.meshform.providers.istio.injection.ProxySkew;
import io.meshform.providers.kubernetes.KubeConnection;
import java.util.List;
import java.util.function.Function;

/**
 * The registry of mesh safety checks: things the API server accepts silently but that break or weaken the mesh.
 * One check per file in this package, each a {@link PlanCheck} with its name; a new check is a new file here and a
 * line below. What several checks share lives beside them ({@link CheckSupport}, {@link PlannedMesh} and the run's
 * {@link ClusterView}), never in a check, so checks do not depend on each other. The policy model Istio's precedence
 * rules need (which PeerAuthentication applies to which pod and port) is {@code istio.policy.PeerAuthentications}.
 */
public final class MeshChecks {

    private MeshChecks() {
    }

    /**
     * Every check, with live reads through {@code kube} (once per run and kind, shared by the checks; none for
     * {@code validate}) and Istio's own validator and analyzers through {@code istioctl}; {@code installMesh} gives the
     * mesh config of the stack's install (istioctl's render of it, {@code RenderedMesh}).
     */
    public static List<PlanCheck> all(KubeConnection kube, Istioctl istioctl, PlannedMesh.InstallMesh installMesh) {
        LiveCluster.Runs runs = new LiveCluster.Runs(kube);
        Function<CheckContext, ClusterView> view = ctx -> ctx.purpose() == CheckContext.Purpose.VALIDATE
                ? ClusterView.EMPTY : runs.of(ctx);
        // One planned mesh per run, shared by its checks (PlannedMesh.PerRun). Its live view is asked for when a check
        // first needs it: analyze starts before the plan's reads end and reads nothing of it until istioctl has
        // answered, so the view's reads do not compete with the plan's.
        Function<CheckContext, PlannedMesh> mesh = new PlannedMesh.PerRun(view, installMesh);
        return guarded(List.of(
                new IstioValidation(istioctl),
                new IstioAnalysis(mesh, istioctl, kube::answered),
                new ClusterUnread(mesh),
                new ControlPlaneAvailable(mesh),
                new SelectorInRootNamespace(mesh),
                new ConfigRevisionIgnored(mesh),
                new ConflictingPeerAuthentications(mesh),
                new StrictWithoutExceptions(mesh),
                new UnmanagedWeakerMtls(mesh),
                new MtlsReachability(mesh),
                new CustomProviderDeclared(mesh),
                new ExtAuthzServiceExists(mesh),
                new AuthProxyRisks(mesh),
                new IngressAuthCoverage(mesh),
                new IngressAuthUnused(mesh),
                new TracingProviderDeclared(mesh),
                new InjectionLabelAndRevision(mesh),
                new InjectionWithoutSidecars(ctx -> new InjectionWithoutSidecars.FromView(view.apply(ctx))),
                new ProductionAddons(),
                new AuthorizationSelectsNothing(mesh),
                new AuthorizationMethodCase(mesh),
                new DenyByIdentityOnPlaintext(mesh),
                new TokenNotRequired(mesh),
                new ProxyVersionSkew(ctx -> ctx.purpose() == CheckContext.Purpose.VALIDATE ? ProxySkew.injectedPods(kube)
                        : ProxySkew.injected(view.apply(ctx).pods()))));
    }

    /**
     * Each check behind its {@link DigestGuard}: only a check that says what it reads of the install ({@link
     * ReadsInstall}) is taken, so a new check cannot forget that drift's applied install may hold digests.
     */
    static <C extends PlanCheck & ReadsInstall> List<PlanCheck> guarded(List<C> checks) {
        return checks.stream().<PlanCheck>map(DigestGuard::new).toList();
    }
}

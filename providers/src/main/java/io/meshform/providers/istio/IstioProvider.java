package io.meshform.providers.istio;

import io.meshform.providers.istio.checks.MeshChecks;
import io.meshform.providers.istio.core.Istioctl;
import io.meshform.providers.istio.core.RunDirectory;
import io.meshform.providers.istio.install.InstallFirst;
import io.meshform.providers.istio.install.IstioInstallType;
import io.meshform.providers.istio.install.OfflineRenderCheck;
import io.meshform.providers.istio.install.RenderedMesh;
import io.meshform.providers.istio.policy.IstioPolicyType;
import io.meshform.providers.istio.policy.IstioObjects;
import io.meshform.providers.istio.policy.IstioSpecSchemas;
import io.meshform.providers.istio.policy.PolicyKind;
import io.meshform.providers.kubernetes.ObjectRules;

import io.meshform.engine.spi.PlanCheck;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.engine.spi.Provider;
import io.meshform.engine.spi.ResourceType;
import io.meshform.providers.kubernetes.KubeConnection;
import java.util.List;
import java.util.Set;

/**
 * {@code istio.*}: the install (through istioctl), the security policies and Telemetry, plus the mesh safety checks.
 */
public final class IstioProvider implements Provider {
    public static final String SECURITY_GROUP = Mesh.SECURITY_GROUP;
    public static final String SECURITY_VERSION = Mesh.SECURITY_VERSION;
    public static final String TELEMETRY_GROUP = Mesh.TELEMETRY_GROUP;
    public static final String TELEMETRY_VERSION = Mesh.TELEMETRY_VERSION;

    private final KubeConnection kube;
    private final Istioctl istioctl;
    private final List<ResourceType> types;
    private final List<PlanCheck> checks;

    public IstioProvider(KubeConnection kube, Istioctl istioctl) {
        this.kube = kube;
        this.istioctl = istioctl;
        IstioInstallType install = new IstioInstallType(kube, istioctl);
        IstioSpecSchemas.ReleaseInUse release = IstioSpecSchemas.ReleaseInUse.of(istioctl);
        this.types = List.of(
                install,
                new IstioPolicyType(kube, PolicyKind.PEER_AUTHENTICATION, Set.of(), release),
                new IstioPolicyType(kube, PolicyKind.REQUEST_AUTHENTICATION, IstioObjects.sensitive("RequestAuthentication"), release),
                new IstioPolicyType(kube, PolicyKind.AUTHORIZATION_POLICY, Set.of(), release),
                new IstioPolicyType(kube, PolicyKind.TELEMETRY, Set.of(), release),
                new io.meshform.providers.istio.policy.CallerType());
        List<PlanCheck> all = new java.util.ArrayList<>(MeshChecks.all(kube, istioctl, new RenderedMesh(install)::of));
        all.add(new OfflineRenderCheck(install));  // validate: istioctl version and render, offline
        this.checks = List.copyOf(all);
    }

    public static IstioPolicyType peerAuthentication(KubeConnection kube) {
        return new IstioPolicyType(kube, PolicyKind.PEER_AUTHENTICATION, Set.of());
    }

    public static IstioPolicyType requestAuthentication(KubeConnection kube) {
        // Inline key sets of every JWT rule (see IstioObjects.SENSITIVE): the same paths as in a manifest of the kind.
        return new IstioPolicyType(kube, PolicyKind.REQUEST_AUTHENTICATION, IstioObjects.sensitive("RequestAuthentication"));
    }

    public static IstioPolicyType authorizationPolicy(KubeConnection kube) {
        return new IstioPolicyType(kube, PolicyKind.AUTHORIZATION_POLICY, Set.of());
    }

    public static IstioPolicyType telemetry(KubeConnection kube) {
        return new IstioPolicyType(kube, PolicyKind.TELEMETRY, Set.of());
    }

    /** The rules of Istio's kinds, for a {@code kubernetes.manifest} of such a kind: the typed resources' own. */
    public static ObjectRules manifestRules() {
        return new IstioObjects();
    }

    /** As {@link #manifestRules()}, for the Istio release {@code istioctl} is (Istio's schemas judge only their own). */
    public static ObjectRules manifestRules(Istioctl istioctl) {
        return new IstioObjects(IstioSpecSchemas.ReleaseInUse.of(istioctl));
    }

    @Override
    public String name() {
        return "istio";
    }

    @Override
    public List<ResourceType> resourceTypes() {
        return types;
    }

    @Override
    public List<PlanCheck> checks() {
        return checks;
    }

    @Override
    public List<io.meshform.engine.spi.DependencyRule> dependencyRules() {
        return List.of(new InstallFirst(), new io.meshform.providers.istio.injection.InjectorManifestsFirst());
    }

    /** This run's private directory for the files handed to istioctl; removed by {@link #close}. */
    RunDirectory runDirectory() {
        return istioctl.runDirectory();
    }

    public long requestCount() {
        return kube.requestCount();
    }

    @Override
    public void close() {
        try {
            kube.close();
        } finally {
            // The run is over: what it handed istioctl (an IstioOperator with sensitive values, say) goes now.
            istioctl.runDirectory().close();
        }
    }

    /** The kubeconfig read and the API server's address reached (nothing sent): {@link KubeConnection#client}. */
    @Override
    public void connect() {
        kube.client();
    }
}

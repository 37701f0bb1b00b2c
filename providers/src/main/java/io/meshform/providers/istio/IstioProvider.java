package io.meshform.providers.istio;

import io.meshform.providers.istio.checks.MeshChecks;
import io.meshform.providers.istio.core.Istioctl;
import io.meshform.providers.istio.install.InstallFirst;
import io.meshform.providers.istio.install.IstioInstallType;
import io.meshform.providers.istio.policy.IstioPolicyType;
import io.meshform.providers.istio.policy.IstioRules;
import io.meshform.providers.istio.policy.PolicyKind;

import io.meshform.engine.spi.PlanCheck;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.engine.spi.Provider;
import io.meshform.engine.spi.ResourceType;
import io.meshform.providers.kubernetes.KubeConnection;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * {@code istio.*}: the install (through istioctl), the security policies and Telemetry, plus the mesh safety checks.
 */
public final class IstioProvider implements Provider {
    public static final String SECURITY_GROUP = Mesh.SECURITY_GROUP;
    public static final String SECURITY_VERSION = Mesh.SECURITY_VERSION;
    public static final String TELEMETRY_GROUP = Mesh.TELEMETRY_GROUP;
    public static final String TELEMETRY_VERSION = Mesh.TELEMETRY_VERSION;

    private final KubeConnection kube;
    private final List<ResourceType> types;
    private final List<PlanCheck> checks;

    public IstioProvider(KubeConnection kube, Istioctl istioctl) {
        this.kube = kube;
        this.types = List.of(
                new IstioInstallType(kube, istioctl),
                peerAuthentication(kube),
                requestAuthentication(kube),
                authorizationPolicy(kube),
                telemetry(kube));
        this.checks = MeshChecks.all(kube, istioctl);
    }

    public static IstioPolicyType peerAuthentication(KubeConnection kube) {
        return new IstioPolicyType(kube, PolicyKind.PEER_AUTHENTICATION, IstioRules.PEER_FIELDS, IstioRules::peerAuthentication,
                Set.of());
    }

    public static IstioPolicyType requestAuthentication(KubeConnection kube) {
        // The engine's masks take exact pointers: cover the inline key sets of the first 20 JWT rules.
        Set<String> sensitive = Set.copyOf(IntStream.range(0, 20).mapToObj(i -> "/jwtRules/" + i + "/jwks").toList());
        return new IstioPolicyType(kube, PolicyKind.REQUEST_AUTHENTICATION, IstioRules.REQUEST_FIELDS,
                IstioRules::requestAuthentication, sensitive);
    }

    public static IstioPolicyType authorizationPolicy(KubeConnection kube) {
        return new IstioPolicyType(kube, PolicyKind.AUTHORIZATION_POLICY, IstioRules.AUTHZ_FIELDS,
                IstioRules::authorizationPolicy, Set.of());
    }

    public static IstioPolicyType telemetry(KubeConnection kube) {
        return new IstioPolicyType(kube, PolicyKind.TELEMETRY, IstioRules.TELEMETRY_FIELDS, IstioRules::telemetry, Set.of());
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
        return List.of(new InstallFirst());
    }

    public long requestCount() {
        return kube.requestCount();
    }

    @Override
    public void close() {
        kube.close();
    }
}

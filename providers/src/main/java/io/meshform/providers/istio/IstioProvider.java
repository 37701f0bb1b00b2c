package io.meshform.providers.istio;

import io.meshform.engine.spi.PlanCheck;
import io.meshform.engine.spi.Provider;
import io.meshform.engine.spi.ResourceType;
import io.meshform.providers.kubernetes.KubeConnection;
import java.util.List;
import java.util.Set;

/**
 * {@code istio.*}: the install (through istioctl), the security policies and Telemetry, plus the mesh safety checks.
 */
public final class IstioProvider implements Provider {
    public static final String SECURITY_GROUP = "security.istio.io";
    public static final String SECURITY_VERSION = "v1";
    /** PeerAuthentications read directly (the mesh checks), without API discovery. */
    static final io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext PEER_AUTHENTICATION_CONTEXT =
            new io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.Builder().withGroup(SECURITY_GROUP)
                    .withVersion(SECURITY_VERSION).withKind("PeerAuthentication").withPlural("peerauthentications")
                    .withNamespaced(true).build();
    public static final String TELEMETRY_GROUP = "telemetry.istio.io";
    public static final String TELEMETRY_VERSION = "v1";

    private final KubeConnection kube;
    private final List<ResourceType> types;
    private final List<PlanCheck> checks;

    public IstioProvider(KubeConnection kube, Istioctl istioctl) {
        this.kube = kube;
        IstioInstallType install = new IstioInstallType(kube, istioctl);
        this.types = List.of(
                install,
                peerAuthentication(kube),
                requestAuthentication(kube),
                authorizationPolicy(kube),
                telemetry(kube));
        List<PlanCheck> all = new java.util.ArrayList<>(MeshChecks.all(kube));
        all.add(renderCheck(install));
        this.checks = List.copyOf(all);
    }

    public static IstioPolicyType peerAuthentication(KubeConnection kube) {
        return new IstioPolicyType(kube, "istio.peerAuthentication", SECURITY_GROUP, SECURITY_VERSION, "PeerAuthentication",
                "peerauthentications", Set.of());
    }

    public static IstioPolicyType requestAuthentication(KubeConnection kube) {
        // Inline key sets of every JWT rule: keys a reviewer has no need to read, and private keys pasted by mistake.
        return new IstioPolicyType(kube, "istio.requestAuthentication", SECURITY_GROUP, SECURITY_VERSION,
                "RequestAuthentication", "requestauthentications", Set.of("/jwtRules/*/jwks"));
    }

    public static IstioPolicyType authorizationPolicy(KubeConnection kube) {
        return new IstioPolicyType(kube, "istio.authorizationPolicy", SECURITY_GROUP, SECURITY_VERSION, "AuthorizationPolicy",
                "authorizationpolicies", Set.of());
    }

    public static IstioPolicyType telemetry(KubeConnection kube) {
        return new IstioPolicyType(kube, "istio.telemetry", TELEMETRY_GROUP, TELEMETRY_VERSION, "Telemetry", "telemetries",
                Set.of());
    }

    /** validate: each install's istioctl version and render, offline (plan renders in the install's own plan). */
    static PlanCheck renderCheck(IstioInstallType install) {
        return new PlanCheck() {
            @Override
            public String name() {
                return "istioctl-render";
            }

            @Override
            public boolean needsCluster() {
                return false;
            }

            @Override
            public boolean validateOnly() {
                return true;
            }

            @Override
            public List<io.meshform.engine.diag.Diagnostic> check(io.meshform.engine.spi.CheckContext context) {
                List<io.meshform.engine.diag.Diagnostic> out = new java.util.ArrayList<>();
                context.stack().ofType(IstioInstallType.NAME).forEach(d -> out.addAll(install.checkOffline(d)));
                return out;
            }
        };
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

    public long requestCount() {
        return kube.requestCount();
    }

    @Override
    public void close() {
        kube.close();
    }
}

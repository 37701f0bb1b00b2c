package io.meshform.providers.istio.checks;

import static io.meshform.providers.TestSpecs.decl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.Environment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An AuthorizationPolicy with targetRefs, which istiod attaches to Gateway API gateways and waypoints only. */
class TargetRefsTest {
    private static final String POLICY = "namespace: istio-system\naction: CUSTOM\nprovider: {name: proxy}\nrules: [{}]\n";

    @Test
    void aTargetedPolicyOnIstioctlsIngressGatewayReachesNoProxy() {
        var svc = decl("istio.authorizationPolicy.ingress", POLICY + "targetRefs: [{kind: Service, group: \"\", name: istio-ingressgateway}]\n");
        FakeCluster classic = new FakeCluster().pod("istio-system", "gw", Map.of("istio", "ingressgateway", "app", "istio-ingressgateway"));
        List<Diagnostic> ds = AuthorizationSelectsNothing.findings(classic.mesh(MeshChecksTest.ctx(Environment.PRODUCTION, svc)));
        assertEquals(1, ds.size(), ds.toString());
        assertEquals("istio.authorizationPolicy.ingress: the CUSTOM policy's targetRefs match no running Gateway API gateway or"
                + " waypoint, and istiod ignores a policy with targetRefs on every other proxy", ds.get(0).summary());
        assertTrue(ds.get(0).detail().startsWith("no request is sent to the auth proxy: sidecars and the gateways istioctl installs"),
                ds.get(0).detail());
        var gw = decl("istio.authorizationPolicy.ingress", POLICY
                + "targetRef: {kind: Gateway, group: gateway.networking.k8s.io, name: public}\n");
        assertEquals(1, AuthorizationSelectsNothing.findings(classic.mesh(MeshChecksTest.ctx(Environment.PRODUCTION, gw))).size(),
                "the single targetRef form too");
    }

    @Test
    void aGatewayApiGatewayOfThatNameTakesIt() {
        var gw = decl("istio.authorizationPolicy.ingress", POLICY
                + "targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: public}]\n");
        FakeCluster api = new FakeCluster().pod("istio-system", "public-istio", Map.of(TargetRefs.GATEWAY_NAME, "public"));
        assertEquals(List.of(), AuthorizationSelectsNothing.findings(api.mesh(MeshChecksTest.ctx(Environment.PRODUCTION, gw))));
        FakeCluster other = new FakeCluster().pod("istio-system", "private-istio", Map.of(TargetRefs.GATEWAY_NAME, "private"));
        assertEquals(1, AuthorizationSelectsNothing.findings(other.mesh(MeshChecksTest.ctx(Environment.PRODUCTION, gw))).size(),
                "a gateway of another name does not");
    }
}

package io.meshform.providers.istio.policy;

import static io.meshform.providers.TestSpecs.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GatewayPodTemplateTest {
    private static final GatewayPodTemplate AMBIENT = new GatewayPodTemplate(true, "net1");

    @Test
    void istioClassGetsClassNameAndCanonicalNameAndCopiesTheGatewaysLabels() {
        var gw = node("""
                metadata: {name: public, namespace: shop, labels: {team: payments}}
                spec: {gatewayClassName: istio, listeners: [{name: http, port: 80, protocol: HTTP}]}
                """);
        assertEquals(Optional.of(Map.of(
                "team", "payments",
                "sidecar.istio.io/inject", "false",
                "service.istio.io/canonical-name", "public-istio",
                "service.istio.io/canonical-revision", "latest",
                "gateway.networking.k8s.io/gateway-name", "public",
                "gateway.networking.k8s.io/gateway-class-name", "istio",
                "gateway.istio.io/managed", "istio.io-gateway-controller")), GatewayPodTemplate.DEFAULT.podLabels(gw));
        assertEquals("public-istio", GatewayPodTemplate.deploymentName(gw));
    }

    @Test
    void infrastructureLabelsReplaceTheGatewaysOverrideTheFirstMapAndLoseTheGatewayApiPrefix() {
        var gw = node("""
                metadata: {name: public, labels: {team: payments}, annotations: {gateway.istio.io/name-override: edge}}
                spec:
                  gatewayClassName: istio
                  infrastructure:
                    labels: {tier: edge, gateway.networking.k8s.io/gateway-name: other, service.istio.io/canonical-revision: v2,
                             gateway.istio.io/managed: me}
                """);
        Map<String, String> labels = GatewayPodTemplate.DEFAULT.podLabels(gw).orElseThrow();
        assertEquals("edge", labels.get("tier"));
        assertEquals("v2", labels.get("service.istio.io/canonical-revision"));
        assertEquals("edge", labels.get("service.istio.io/canonical-name"));
        assertEquals("public", labels.get(PolicyTarget.GATEWAY_NAME_LABEL));
        assertEquals("istio.io-gateway-controller", labels.get("gateway.istio.io/managed"));
        assertTrue(!labels.containsKey("team"), labels.toString());
    }

    @Test
    void anEmptyInfrastructureLabelMapStillReplacesTheGatewaysLabels() {
        var gw = node("metadata: {name: g, labels: {team: a}}\nspec: {gatewayClassName: istio, infrastructure: {labels: {}}}\n");
        assertTrue(!GatewayPodTemplate.DEFAULT.podLabels(gw).orElseThrow().containsKey("team"));
    }

    @Test
    void ambientMarksOtherGatewaysOutOfAmbientUnlessTheyChoose() {
        var plain = node("metadata: {name: g}\nspec: {gatewayClassName: istio}\n");
        assertEquals("none", AMBIENT.podLabels(plain).orElseThrow().get("istio.io/dataplane-mode"));
        var chosen = node("metadata: {name: g, labels: {istio.io/dataplane-mode: ambient}}\nspec: {gatewayClassName: istio}\n");
        assertEquals("ambient", AMBIENT.podLabels(chosen).orElseThrow().get("istio.io/dataplane-mode"));
        assertTrue(!GatewayPodTemplate.DEFAULT.podLabels(plain).orElseThrow().containsKey("istio.io/dataplane-mode"));
    }

    @Test
    void waypointsNeedAmbientAndTakeTheirNameTheMeshControllerAndTheNetwork() {
        var wp = node("metadata: {name: waypoint}\nspec: {gatewayClassName: istio-waypoint}\n");
        assertEquals(Optional.empty(), GatewayPodTemplate.DEFAULT.podLabels(wp));
        assertEquals(Map.of(
                "sidecar.istio.io/inject", "false",
                "istio.io/dataplane-mode", "none",
                "topology.istio.io/network", "net1",
                "service.istio.io/canonical-name", "waypoint",
                "service.istio.io/canonical-revision", "latest",
                "gateway.networking.k8s.io/gateway-name", "waypoint",
                "gateway.networking.k8s.io/gateway-class-name", "istio-waypoint",
                "gateway.istio.io/managed", "istio.io-mesh-controller"), AMBIENT.podLabels(wp).orElseThrow());
    }

    @Test
    void otherClassesAndUnmanagedGatewaysGetNoPodsFromIstiod() {
        assertEquals(Optional.empty(), GatewayPodTemplate.DEFAULT.podLabels(node("metadata: {name: g}\nspec: {gatewayClassName: nginx}\n")));
        assertEquals(Optional.empty(), GatewayPodTemplate.DEFAULT.podLabels(node(
                "metadata: {name: g}\nspec: {gatewayClassName: istio, addresses: [{type: Hostname, value: ingress.example}]}\n")));
        assertTrue(GatewayPodTemplate.DEFAULT.podLabels(node(
                "metadata: {name: g}\nspec: {gatewayClassName: istio, addresses: [{value: 10.0.0.9}]}\n")).isPresent());
    }
}

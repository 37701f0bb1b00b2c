package io.meshform.providers.istio.gatewayapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.meshform.providers.DefaultIstio;
import io.meshform.providers.TestSpecs;
import io.meshform.providers.istio.policy.GatewayPodTemplate;
import io.meshform.providers.kubernetes.Json;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * meshform's model of a Gateway's pod labels ({@link GatewayPodTemplate}) against the Deployments the test bed's
 * istiod (Istio's gatewaycommon.DeploymentController, rendering the injector's kube-gateway template istioctl
 * installed) makes for Gateways of class istio, so the model cannot drift from Istio unnoticed.
 */
@LiveClusterTest
class GatewayDeploymentIT {
    static final ResourceDefinitionContext GATEWAY = new ResourceDefinitionContext.Builder()
            .withGroup("gateway.networking.k8s.io").withVersion("v1").withKind("Gateway").withPlural("gateways")
            .withNamespaced(true).build();

    @Test
    void podTemplateLabelsIstiodRendersAreTheModels(ClusterContext cluster) {
        DefaultIstio.ensure(cluster);
        try (GatewayApiCrds crds = GatewayApiCrds.install(cluster)) {
            String ns = cluster.newNamespace();
            List<String> gateways = List.of("""
                    metadata: {name: public, labels: {team: payments, sidecar.istio.io/inject: "true"}}
                    spec: {gatewayClassName: istio, listeners: [{name: http, port: 80, protocol: HTTP}]}
                    """, """
                    metadata:
                      name: edge
                      labels: {team: payments}
                      annotations: {gateway.istio.io/name-override: edge-proxy}
                    spec:
                      gatewayClassName: istio
                      infrastructure:
                        labels: {tier: edge, gateway.networking.k8s.io/gateway-name: other,
                                 service.istio.io/canonical-revision: v2, gateway.istio.io/managed: someone}
                      listeners: [{name: tls, port: 443, protocol: TLS, tls: {mode: Passthrough}}]
                    """, """
                    metadata: {name: bare, labels: {team: payments}}
                    spec: {gatewayClassName: istio, infrastructure: {labels: {}}, listeners: [{name: tcp, port: 9000, protocol: TCP}]}
                    """);
            for (String yaml : gateways) {
                JsonNode gw = TestSpecs.node("apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n" + yaml);
                GenericKubernetesResource created = cluster.client().genericKubernetesResources(GATEWAY).inNamespace(ns)
                        .resource(Json.toGeneric(gw)).create();
                String deployment = GatewayPodTemplate.deploymentName(gw);
                Deployment d = cluster.client().apps().deployments().inNamespace(ns).withName(deployment)
                        .waitUntilCondition(x -> x != null, 60, TimeUnit.SECONDS);
                Map<String, String> istiod = new TreeMap<>(d.getSpec().getTemplate().getMetadata().getLabels());
                Map<String, String> model = GatewayPodTemplate.DEFAULT.podLabels(gw).orElseThrow();
                assertEquals(istiod, model, "Gateway " + created.getMetadata().getName() + " -> Deployment " + deployment);
                assertTrue(d.getMetadata().getOwnerReferences().stream()
                        .anyMatch(o -> o.getUid().equals(created.getMetadata().getUid())), "istiod's Deployment is owned by the Gateway");
            }
        }
    }
}

package io.meshform.providers.istio.gatewayapi;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.FinalizerHold;
import io.meshform.testkit.GenericObjects;
import io.meshform.testkit.LiveClusterTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Gateway API CRDs two tests install one after the other: the second must be able to create a Gateway. A deleted
 * CRD stays Terminating until every object of its kind is gone; here a finalizer on a Gateway holds it a few seconds
 * (as a slow API server does with many objects). {@link GatewayApiCrds#close()} returns at once; before, the next
 * {@link GatewayApiCrds#install} applied onto the terminating CRD (the API server takes that, and it still reads
 * Established), and the next Gateway was refused: "create not allowed while custom resource definition is terminating".
 * install now waits for it.
 */
@LiveClusterTest
class GatewayApiCrdsIT {
    @Test
    void aGatewayCanBeCreatedRightAfterTheCrdsWereRemovedAndInstalledAgain(ClusterContext cluster) throws Exception {
        var client = cluster.client();
        String ns = cluster.newNamespace();
        var gateways = client.genericKubernetesResources(GatewayDeploymentIT.GATEWAY).inNamespace(ns);
        var crd = client.apiextensions().v1().customResourceDefinitions().withName("gateways.gateway.networking.k8s.io");
        FinalizerHold hold;
        try (GatewayApiCrds crds = GatewayApiCrds.install(cluster)) {
            gateways.resource(gateway(ns, "held")).create();
            // Released 3 s after close() deleted the CRDs: the next install() must still be waiting then.
            hold = FinalizerHold.add(gateways.withName("held")).releaseWhenDeleting(crd, Duration.ofSeconds(3),
                    Duration.ofSeconds(60));
        }
        try (hold; GatewayApiCrds again = GatewayApiCrds.install(cluster)) {
            assertNotNull(gateways.resource(gateway(ns, "next")).create(), "a Gateway of the CRDs installed again");
            assertTrue(hold.released(Duration.ofSeconds(60)), "the CRD of the held Gateway was deleted");
        }
    }

    /** A Gateway of a class no controller serves: istiod makes nothing for it. */
    private static GenericKubernetesResource gateway(String ns, String name) {
        return GenericObjects.of("gateway.networking.k8s.io/v1", "Gateway", ns, name, Map.of("gatewayClassName",
                "meshform-test-none", "listeners", List.of(Map.of("name", "http", "port", 80, "protocol", "HTTP"))));
    }
}

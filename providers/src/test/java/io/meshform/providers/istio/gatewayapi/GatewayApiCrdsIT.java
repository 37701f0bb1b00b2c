package io.meshform.providers.istio.gatewayapi;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.GenericObjects;
import io.meshform.testkit.LiveClusterTest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
    private static final String HOLD = "meshform.test/hold";

    @Test
    void aGatewayCanBeCreatedRightAfterTheCrdsWereRemovedAndInstalledAgain(ClusterContext cluster) throws Exception {
        var client = cluster.client();
        String ns = cluster.newNamespace();
        var gateways = client.genericKubernetesResources(GatewayDeploymentIT.GATEWAY).inNamespace(ns);
        CompletableFuture<Boolean> released;
        try (GatewayApiCrds crds = GatewayApiCrds.install(cluster)) {
            GenericKubernetesResource held = gateway(ns, "held");
            held.getMetadata().setFinalizers(List.of(HOLD));
            gateways.resource(held).create();
            var crd = client.apiextensions().v1().customResourceDefinitions().withName("gateways.gateway.networking.k8s.io");
            released = CompletableFuture.supplyAsync(() -> {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (System.nanoTime() < until) {
                    var c = crd.get();
                    if (c != null && c.getMetadata().getDeletionTimestamp() != null) {
                        pause(3_000);  // close() has deleted the CRDs; the next install() must still be waiting
                        gateways.withName("held").edit(g -> {
                            g.getMetadata().setFinalizers(List.of());
                            return g;
                        });
                        return true;
                    }
                    pause(100);
                }
                return false;
            });
        }
        try (GatewayApiCrds again = GatewayApiCrds.install(cluster)) {
            assertNotNull(gateways.resource(gateway(ns, "next")).create(), "a Gateway of the CRDs installed again");
        } finally {
            assertTrue(released.get(60, TimeUnit.SECONDS), "the CRD of the held Gateway was deleted");
        }
    }

    /** A Gateway of a class no controller serves: istiod makes nothing for it. */
    private static GenericKubernetesResource gateway(String ns, String name) {
        return GenericObjects.of("gateway.networking.k8s.io/v1", "Gateway", ns, name, Map.of("gatewayClassName",
                "meshform-test-none", "listeners", List.of(Map.of("name", "http", "port", 80, "protocol", "HTTP"))));
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ModelClassScanTest {
    @Test
    void beforeTheClientExistsNothingStartsAndTheEndDoesNotWait() {
        ModelClassScan scan = new ModelClassScan();
        scan.run();
        long start = System.nanoTime();
        scan.awaitEnd();
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "no scan to wait 10 s for");
    }

    @Test
    void theScanRunsOnceAndTheEndWaitsForIt() {
        // No request is sent: the scan only reads the client's own serializer.
        try (KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder().withMasterUrl("https://127.0.0.1:1").build()).build()) {
            ModelClassScan scan = new ModelClassScan();
            scan.of(client);
            scan.run();
            scan.run();
            scan.awaitEnd();
            assertEquals(Namespace.class, client.getKubernetesSerialization().getRegisteredKubernetesResource("v1", "Namespace"));
        }
    }
}

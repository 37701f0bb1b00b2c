package io.meshform.state.kubernetes;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.meshform.state.StateException;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * A state read against an API server whose certificate the kubeconfig's CA does not sign (a cluster rebuilt with a new
 * CA, another cluster at the address, a proxy in between) said "check that the cluster is reachable" after fabric8's
 * "Operation: [get] ... failed.", with no cause: the server had answered, and meshform refused its certificate.
 */
@LiveClusterTest
class KubernetesStateServerRefusedIT {

    @Test
    void aStateReadWhoseServerCertificateIsRefusedSaysSo(ClusterContext cluster) throws IOException {
        String foreignCa;
        try (InputStream in = getClass().getResourceAsStream("/cluster-identity/ca-a.pem")) {
            foreignCa = Base64.getEncoder().encodeToString(in.readAllBytes());
        }
        String kubeconfig = Files.readString(cluster.kubeconfigPath())
                .replaceAll("certificate-authority-data: *\\S+", "certificate-authority-data: " + foreignCa);
        try (KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(kubeconfig)).build()) {
            KubernetesStateBackend backend = new KubernetesStateBackend(client, "default", "refused");
            StateException e = assertThrows(StateException.class, backend::read);
            assertTrue(e.getMessage().startsWith("could not read state in Kubernetes Secret default/meshform-state-refused:"
                    + " the API server's TLS certificate is not signed by a CA meshform trusts for it (the kubeconfig's,"
                    + " or the system's when the kubeconfig names none) ("), e.getMessage());
            assertTrue(e.getMessage().contains("\nsomething answered at this address, but meshform did not trust it"),
                    e.getMessage());
        }
    }
}

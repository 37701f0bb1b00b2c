package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.spi.ProviderSettings;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A kubeconfig cluster's {@code tls-server-name} against the real API server, whose certificate names 127.0.0.1,
 * localhost and kubernetes (among others): the certificate must name it, as kubectl requires, whatever the address.
 */
@LiveClusterTest
class ServerNameTrustIT {

    @Test
    void aCertificateThatNamesTheAddressButNotTheServerNameIsRefused(ClusterContext cluster, @TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("config"), withServerName(cluster, "nosuchname.example", null));
        try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", file.toString())))) {
            // kubectl: "x509: certificate is valid for localhost, kubernetes, ..., not nosuchname.example"; meshform
            // checked 127.0.0.1 instead and read the namespace
            var e = assertThrows(KubernetesClientException.class, () -> kube.client().namespaces().withName("default").get());
            String said = kube.explain("kubernetes.namespace.x", "read", "Namespace default", e).diagnostics().get(0).summary();
            assertTrue(said.startsWith("kubernetes.namespace.x: read Namespace default: the API server's TLS certificate"
                    + " does not name nosuchname.example, the cluster's tls-server-name in the kubeconfig (it names 127.0.0.1,"), said);
        }
    }

    @Test
    void aCertificateThatNamesTheServerNameButNotTheAddressIsTaken(ClusterContext cluster, @TempDir Path dir) throws Exception {
        URI server = URI.create(cluster.client().getMasterUrl().toString());
        java.net.InetAddress other = java.net.InetAddress.getByName("127.0.0.2");
        try (KubeConnectionIT.CountingProxy relay = new KubeConnectionIT.CountingProxy(other, server.getHost(), server.getPort())) {
            Path file = Files.writeString(dir.resolve("config"), withServerName(cluster, "kubernetes", "127.0.0.2:" + relay.port()));
            try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", file.toString())))) {
                // the certificate does not name 127.0.0.2: refused before ("No subject alternative names matching IP
                // address 127.0.0.2 found"), where kubectl checks `kubernetes` and connects
                assertEquals("default", kube.client().namespaces().withName("default").get().getMetadata().getName());
            }
        }
    }

    private static String withServerName(ClusterContext cluster, String name, String address) throws Exception {
        URI server = URI.create(cluster.client().getMasterUrl().toString());
        String kubeconfig = Files.readString(cluster.kubeconfigPath());
        if (address != null) {
            kubeconfig = kubeconfig.replace(server.getHost() + ":" + server.getPort(), address);
        }
        return kubeconfig.replaceFirst("(?m)^(\\s+)server: (.*)$", "$1server: $2\n$1tls-server-name: " + name);
    }
}

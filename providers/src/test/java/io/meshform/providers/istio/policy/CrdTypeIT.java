package io.meshform.providers.istio.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.spi.ProviderSettings;
import io.meshform.providers.DefaultIstio;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.providers.kubernetes.ServerSideApply;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The API server's side of IstioSpecSchemaTest's {@code API_SERVER_TYPES}: meshform's server-side apply (fieldValidation
 * Strict, dry-run here) of each case against the Istio CRDs that istioctl 1.30.3 installed is refused at the field
 * meshform names, though istioctl validate takes every one (an enum by its number, a number written as a string).
 */
@LiveClusterTest
class CrdTypeIT {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Map<String, String> VERSIONS = Map.of("PeerAuthentication", "security.istio.io/v1",
            "DestinationRule", "networking.istio.io/v1", "VirtualService", "networking.istio.io/v1",
            "WorkloadEntry", "networking.istio.io/v1", "ProxyConfig", "networking.istio.io/v1beta1",
            "Telemetry", "telemetry.istio.io/v1");

    @Test
    void theApiServerRefusesTheTypesMeshformRefuses(ClusterContext cluster) {
        DefaultIstio.ensure(cluster);
        String ns = cluster.newNamespace();
        try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig",
                cluster.kubeconfigPath().toString())))) {
            ServerSideApply ssa = new ServerSideApply(kube);
            int i = 0;
            for (IstioSpecSchemaTest.Case c : IstioSpecSchemaTest.API_SERVER_TYPES) {
                ObjectNode obj = (ObjectNode) YAML.readTree("{apiVersion: " + VERSIONS.get(c.kind()) + ", kind: " + c.kind()
                        + ", metadata: {name: case-" + i++ + ", namespace: " + ns + "}, spec: " + c.spec() + "}");
                String refusal = null;
                try {
                    ssa.apply(obj, "meshform-it", false, true);
                } catch (KubernetesClientException e) {
                    refusal = e.getMessage();
                }
                assertTrue(refusal != null, "the API server takes " + c.kind() + " " + c.spec());
                String path = c.problem().substring(0, c.problem().indexOf(':'));
                String field = path.substring(path.lastIndexOf('/') + 1);
                assertTrue(refusal.contains("." + field + ":") && (refusal.contains("expected string")
                        || refusal.contains("expected numeric")), c.kind() + " " + c.spec() + ": " + refusal);
            }
        }
    }
}

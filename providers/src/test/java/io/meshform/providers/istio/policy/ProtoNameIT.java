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
 * The API server's side of IstioSpecSchemaTest's proto names: meshform's server-side apply (fieldValidation Strict,
 * dry-run here) of each case against the Istio CRDs that istioctl 1.30.3 installed refuses exactly the objects whose
 * proto name meshform refuses, and takes the proto names the CRD schema declares.
 */
@LiveClusterTest
class ProtoNameIT {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Map<String, String> VERSIONS = Map.of("AuthorizationPolicy", "security.istio.io/v1",
            "PeerAuthentication", "security.istio.io/v1", "RequestAuthentication", "security.istio.io/v1",
            "DestinationRule", "networking.istio.io/v1", "VirtualService", "networking.istio.io/v1");

    @Test
    void theApiServerRefusesTheProtoNamesMeshformRefuses(ClusterContext cluster) {
        DefaultIstio.ensure(cluster);
        String ns = cluster.newNamespace();
        try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig",
                cluster.kubeconfigPath().toString())))) {
            ServerSideApply ssa = new ServerSideApply(kube);
            int i = 0;
            for (IstioSpecSchemaTest.Case c : IstioSpecSchemaTest.PROTO_NAMES) {
                ObjectNode obj = (ObjectNode) YAML.readTree("{apiVersion: " + VERSIONS.get(c.kind()) + ", kind: " + c.kind()
                        + ", metadata: {name: case-" + i++ + ", namespace: " + ns + "}, spec: " + c.spec() + "}");
                String refusal = null;
                try {
                    ssa.apply(obj, "meshform-it", false, true);
                } catch (KubernetesClientException e) {
                    refusal = e.getMessage();
                }
                assertEquals(c.problem() != null, refusal != null, c.kind() + " " + c.spec() + ": " + refusal);
                if (refusal != null) {
                    String field = c.problem().substring(c.problem().lastIndexOf('/') + 1, c.problem().indexOf(':'));
                    assertTrue(refusal.contains(field) && refusal.contains("field not declared in schema"), refusal);
                }
            }
        }
    }
}

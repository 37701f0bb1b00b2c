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
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The API server's side of IstioSpecSchemaTest: meshform's server-side apply (fieldValidation Strict, dry-run here) of
 * each of its cases against the Istio CRDs that istioctl 1.30.3 installed.
 */
@LiveClusterTest
class IstioCrdSchemaIT {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Map<String, String> VERSIONS = Map.of("AuthorizationPolicy", "security.istio.io/v1",
            "PeerAuthentication", "security.istio.io/v1", "RequestAuthentication", "security.istio.io/v1",
            "DestinationRule", "networking.istio.io/v1", "VirtualService", "networking.istio.io/v1",
            "WorkloadEntry", "networking.istio.io/v1", "ProxyConfig", "networking.istio.io/v1beta1",
            "Telemetry", "telemetry.istio.io/v1");

    /** Refused are exactly the objects whose proto name meshform refuses; the names the CRD schema declares are taken. */
    @Test
    void theApiServerRefusesTheProtoNamesMeshformRefuses(ClusterContext cluster) {
        applyEach(cluster, IstioSpecSchemaTest.PROTO_NAMES, (c, refusal) -> {
            assertEquals(c.problem() != null, refusal != null, c.kind() + " " + c.spec() + ": " + refusal);
            if (refusal != null) {
                String field = c.problem().substring(c.problem().lastIndexOf('/') + 1, c.problem().indexOf(':'));
                assertTrue(refusal.contains(field) && refusal.contains("field not declared in schema"), refusal);
            }
        });
    }

    /**
     * Refused at the field meshform names, though istioctl validate takes every one (an enum by its number, a number
     * written as a string).
     */
    @Test
    void theApiServerRefusesTheTypesMeshformRefuses(ClusterContext cluster) {
        applyEach(cluster, IstioSpecSchemaTest.API_SERVER_TYPES, (c, refusal) -> {
            assertTrue(refusal != null, "the API server takes " + c.kind() + " " + c.spec());
            String path = c.problem().substring(0, c.problem().indexOf(':'));
            String field = path.substring(path.lastIndexOf('/') + 1);
            assertTrue(refusal.contains("." + field + ":") && (refusal.contains("expected string")
                    || refusal.contains("expected numeric")), c.kind() + " " + c.spec() + ": " + refusal);
        });
    }

    /** Applies each case (dry run, in a new namespace) and hands {@code check} the API server's refusal, or null. */
    private static void applyEach(ClusterContext cluster, List<IstioSpecSchemaTest.Case> cases,
                                  BiConsumer<IstioSpecSchemaTest.Case, String> check) {
        DefaultIstio.ensure(cluster);
        String ns = cluster.newNamespace();
        try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig",
                cluster.kubeconfigPath().toString())))) {
            ServerSideApply ssa = new ServerSideApply(kube);
            int i = 0;
            for (IstioSpecSchemaTest.Case c : cases) {
                ObjectNode obj = (ObjectNode) YAML.readTree("{apiVersion: " + VERSIONS.get(c.kind()) + ", kind: " + c.kind()
                        + ", metadata: {name: case-" + i++ + ", namespace: " + ns + "}, spec: " + c.spec() + "}");
                String refusal = null;
                try {
                    ssa.apply(obj, "meshform-it", false, true);
                } catch (KubernetesClientException e) {
                    refusal = e.getMessage();
                }
                check.accept(c, refusal);
            }
        }
    }
}

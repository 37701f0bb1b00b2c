package io.meshform.providers.istio.policy;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.providers.DefaultIstio;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.GenericObjects;
import io.meshform.testkit.LiveClusterTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Where a {@code from} source that sets no field comes from: the test bed's istiod (1.30.3) refuses it at admission
 * ("`from.source` must not be empty", {@code ValidateAuthorizationPolicy}, pkg/config/validation/validation.go), as
 * {@code istioctl validate} does for a stack's policy, so only a policy stored while validation was off (an install
 * with {@code global.configValidation=false}, or one made before the webhook took effect) has one; istiod then turns it
 * into a principal of {@code any: true} (model.go {@code generatePrincipal}), which {@link AuthzEmptySourceTest} holds
 * meshform's model to.
 */
@LiveClusterTest
class AuthzEmptySourceIT {

    @Test
    void istiodsWebhookRefusesAnEmptySource(ClusterContext cluster) {
        DefaultIstio.ensure(cluster);
        String ns = cluster.newInjectedNamespace();
        Map<String, Object> spec = Map.of("selector", Map.of("matchLabels", Map.of("app", "web")), "action", "DENY",
                "rules", List.of(Map.of("from", List.of(Map.of("source", Map.of())),
                        "to", List.of(Map.of("operation", Map.of("paths", List.of("/admin")))))));
        var refused = assertThrows(KubernetesClientException.class, () -> cluster.client()
                .genericKubernetesResources(AuthzPortValueIT.AUTHZ).inNamespace(ns).resource(GenericObjects.of(
                        "security.istio.io/v1", "AuthorizationPolicy", ns, "deny-empty-source", spec)).create());
        assertTrue(refused.getMessage().contains("`from.source` must not be empty, found at rule 0"), refused.getMessage());
    }
}

package io.meshform.providers.istio.policy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.providers.DefaultIstio;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.GenericObjects;
import io.meshform.testkit.LiveClusterTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Where a {@code from} source that sets no field comes from: the test bed's istiod (1.30.3) refuses it at admission
 * ("`from.source` must not be empty", {@code ValidateAuthorizationPolicy}, pkg/config/validation/validation.go), as
 * {@code istioctl validate} does for a stack's policy, so only a policy stored while validation was off (an install
 * with {@code global.configValidation=false}, or one made before the webhook took effect) has one; istiod then turns it
 * into a principal of {@code any: true} (model.go {@code generatePrincipal}), which {@link AuthzEmptySourceTest} holds
 * meshform's model to. The second test stores one past the webhook (whose object selector it narrows for one label,
 * then puts back) and reads what the test bed's istiod pushes for it.
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

    private static final String VALIDATOR = "istiod-default-validator";
    private static final String UNVALIDATED = "meshform.io/it-unvalidated";

    @Test
    void istiodMatchesEveryCallerWithAnEmptySourceStoredWhileValidationWasOff(ClusterContext cluster)
            throws InterruptedException {
        DefaultIstio.ensure(cluster);
        var client = cluster.client();
        String ns = cluster.newInjectedNamespace();
        cluster.newPausePod(ns, "web", Map.of("app", "web"), 8080);
        Map<String, Object> spec = Map.of("selector", Map.of("matchLabels", Map.of("app", "web")), "action", "DENY",
                "rules", List.of(Map.of("from", List.of(Map.of("source", Map.of())),
                        "to", List.of(Map.of("operation", Map.of("paths", List.of("/admin")))))));
        var policy = GenericObjects.of("security.istio.io/v1", "AuthorizationPolicy", ns, "deny-empty-source", spec);
        policy.getMetadata().setLabels(Map.of(UNVALIDATED, "true"));
        var webhooks = client.admissionRegistration().v1().validatingWebhookConfigurations().withName(VALIDATOR);
        webhooks.edit(c -> {
            c.getWebhooks().forEach(w -> w.getObjectSelector().getMatchExpressions()
                    .add(new LabelSelectorRequirement(UNVALIDATED, "DoesNotExist", null)));
            return c;
        });
        try {
            client.genericKubernetesResources(AuthzPortValueIT.AUTHZ).inNamespace(ns).resource(policy).create();
        } finally {
            webhooks.edit(c -> {
                c.getWebhooks().forEach(w -> w.getObjectSelector().getMatchExpressions()
                        .removeIf(r -> UNVALIDATED.equals(r.getKey())));
                return c;
            });
        }
        String last = "";
        for (int attempt = 0; attempt < 20; attempt++) {
            String answer = cluster.proxyConfig().probe(List.of(ns + "/web"), List.of());
            JsonNode proxy = AuthzPortValueIT.JSON.readTree(answer.substring(answer.startsWith("{") ? 0
                    : answer.indexOf("\n{") + 1)).get("proxies").get(0);
            last = proxy.path("authorization").toString();
            if (last.contains("deny-empty-source")) {
                assertTrue(last.contains("\"principals\":[{\"and_ids\":{\"ids\":[{\"any\":true}]}}]"),
                        "istiod's principal for the empty source matches anyone: " + last);
                assertFalse(last.contains("principal_name") || last.contains("direct_remote_ip"), last);
                AuthzPolicy model = AuthzPolicy.of(AuthzPortValueIT.JSON.valueToTree(Map.of("metadata",
                        Map.of("namespace", ns, "name", "deny-empty-source"), "spec", spec)));
                assertFalse(model.rules().get(0).conditional(), "meshform's model: no caller escapes the rule");
                assertTrue(model.match("GET", "web", "/admin", 8080, false) != null, "meshform denies /admin to anyone");
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("istiod pushed no rule of deny-empty-source: " + last);
    }
}

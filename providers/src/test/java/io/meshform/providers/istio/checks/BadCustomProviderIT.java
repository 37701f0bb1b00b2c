package io.meshform.providers.istio.checks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.meshform.providers.DefaultIstio;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.GenericObjects;
import io.meshform.testkit.LiveClusterTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * What {@link CustomProviderDeclared#ON_TCP} says, against the test bed's istiod: a CUSTOM policy whose provider the
 * mesh config lacks, with a rule of paths alone, becomes a DENY rule that matches only that path on the sidecar's HTTP
 * chains and every connection ({@code any: true}) on its TCP port.
 */
@LiveClusterTest
class BadCustomProviderIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final ResourceDefinitionContext AUTHZ = new ResourceDefinitionContext.Builder().withGroup("security.istio.io")
            .withVersion("v1").withKind("AuthorizationPolicy").withPlural("authorizationpolicies").withNamespaced(true).build();

    @Test
    void onATcpPortThePathRuleOfABadCustomPolicyDeniesEveryConnection(ClusterContext cluster) throws InterruptedException {
        DefaultIstio.ensure(cluster);
        var client = cluster.client();
        String ns = cluster.newInjectedNamespace();
        cluster.newPausePod(ns, "db", Map.of("app", "db"), 27017);
        client.services().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.ServiceBuilder().withNewMetadata()
                .withName("db").endMetadata().withNewSpec().addToSelector("app", "db").addNewPort().withName("tcp-mongo")
                .withPort(27017).endPort().endSpec().build()).create();
        client.genericKubernetesResources(AUTHZ).inNamespace(ns).resource(GenericObjects.of("security.istio.io/v1",
                "AuthorizationPolicy", ns, "bad-custom", Map.of("selector", Map.of("matchLabels", Map.of("app", "db")),
                        "action", "CUSTOM", "provider", Map.of("name", "nowhere"),
                        "rules", List.of(Map.of("to", List.of(Map.of("operation", Map.of("paths", List.of("/x"))))))))).create();
        String last = "";
        for (int attempt = 0; attempt < 20; attempt++) {
            String answer = cluster.proxyConfig().probe(List.of(ns + "/db"), List.of());
            JsonNode proxy = JSON.readTree(answer.substring(answer.startsWith("{") ? 0 : answer.indexOf("\n{") + 1)).get("proxies").get(0);
            last = proxy.path("authorization").toString();
            for (JsonNode a : proxy.path("authorization")) {
                String filters = a.path("filters").toString();
                if (a.path("port").asInt() == 27017 && a.path("protocol").asString().equals("tcp")
                        && filters.contains("deny-due-to-bad-CUSTOM-action")) {
                    assertTrue(filters.contains("\"any\":true") && !filters.contains("/x"), "the TCP rule matches any connection: " + filters);
                    return;
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError("istiod pushed no deny rule for the TCP port 27017: " + last);
    }
}

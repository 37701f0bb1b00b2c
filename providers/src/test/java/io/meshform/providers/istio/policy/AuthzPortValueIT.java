package io.meshform.providers.istio.policy;

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
 * What istiod makes of an AuthorizationPolicy {@code ports} value with a leading zero ("08080"), which its validation
 * accepts: the RBAC rule it pushes to the pod matches destination port 8080 ({@code convertToPort},
 * pilot/pkg/security/authz/model/util.go), as {@link AuthzPolicy.Operation#port} reads it.
 */
@LiveClusterTest
class AuthzPortValueIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final ResourceDefinitionContext AUTHZ = new ResourceDefinitionContext.Builder().withGroup("security.istio.io")
            .withVersion("v1").withKind("AuthorizationPolicy").withPlural("authorizationpolicies").withNamespaced(true).build();

    @Test
    void istiodReadsAPortWithALeadingZeroAsThePortItNames(ClusterContext cluster) throws InterruptedException {
        DefaultIstio.ensure(cluster);
        var client = cluster.client();
        String ns = cluster.newInjectedNamespace();
        cluster.newPausePod(ns, "web", Map.of("app", "web"), 8080);
        client.genericKubernetesResources(AUTHZ).inNamespace(ns).resource(GenericObjects.of("security.istio.io/v1",
                "AuthorizationPolicy", ns, "deny-port", Map.of("selector", Map.of("matchLabels", Map.of("app", "web")),
                        "action", "DENY", "rules", List.of(Map.of("to", List.of(Map.of("operation",
                                Map.of("ports", List.of("08080"))))))))).create();
        String last = "";
        for (int attempt = 0; attempt < 20; attempt++) {
            String answer = cluster.proxyConfig().probe(List.of(ns + "/web"), List.of());
            JsonNode proxy = JSON.readTree(answer.substring(answer.startsWith("{") ? 0 : answer.indexOf("\n{") + 1)).get("proxies").get(0);
            last = proxy.path("authorization").toString();
            if (last.contains("deny-port")) {
                assertTrue(last.contains("\"destination_port\":8080"), "istiod's rule matches port 8080: " + last);
                AuthzPolicy model = AuthzPolicy.of(JSON.valueToTree(Map.of("metadata", Map.of("namespace", ns, "name", "deny-port"),
                        "spec", Map.of("action", "DENY", "rules", List.of(Map.of("to", List.of(Map.of("operation",
                                Map.of("ports", List.of("08080"))))))))));
                assertTrue(model.match("GET", "web", "/", 8080, false) != null, "meshform's model matches port 8080 too");
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("istiod pushed no rule of deny-port: " + last);
    }
}

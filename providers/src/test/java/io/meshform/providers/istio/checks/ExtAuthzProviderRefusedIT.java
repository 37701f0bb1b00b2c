package io.meshform.providers.istio.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.meshform.providers.DefaultIstio;
import io.meshform.providers.istio.install.ExtAuthzRules;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.GenericObjects;
import io.meshform.testkit.LiveClusterTest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * {@link ExtAuthzRules} against the test bed's istiod: for each ext_authz provider form below, the mesh config declares
 * it, a CUSTOM policy on a pod of its own names it, and istiod either builds the ext_authz filter for the pod or, having
 * refused the provider ({@code processExtensionProvider}, pilot/pkg/security/authz/builder/extauthz.go), the RBAC rule
 * "deny-due-to-bad-CUSTOM-action". meshform's rules must refuse exactly the providers istiod refuses.
 */
@LiveClusterTest
class ExtAuthzProviderRefusedIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final YAMLMapper YAML = new YAMLMapper();
    static final ResourceDefinitionContext AUTHZ = new ResourceDefinitionContext.Builder().withGroup("security.istio.io")
            .withVersion("v1").withKind("AuthorizationPolicy").withPlural("authorizationpolicies").withNamespaced(true).build();

    @Test
    void meshformRefusesTheProvidersIstiodRefuses(ClusterContext cluster) throws Exception {
        DefaultIstio.ensure(cluster);
        var client = cluster.client();
        String ns = cluster.newInjectedNamespace();
        client.services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName("auth").endMetadata()
                .withNewSpec().addToSelector("app", "auth").addNewPort().withName("http").withPort(8000).endPort().endSpec()
                .build()).create();
        String service = "auth." + ns + ".svc.cluster.local";
        // settings beyond service and port, and whether istiod refuses the provider (as the test bed's istiod answered)
        Map<String, Map.Entry<String, Boolean>> cases = new LinkedHashMap<>();
        cases.put("plain", Map.entry("{pathPrefix: /check}", false));
        cases.put("bad-escape", Map.entry("{pathPrefix: /check%zz}", true));
        cases.put("short-escape", Map.entry("{pathPrefix: /check%2}", true));
        cases.put("escaped-percent", Map.entry("{pathPrefix: \"/check%25zz?a=%zz\"}", false));
        cases.put("fragment-escape", Map.entry("{pathPrefix: \"/check#%zz\"}", true));
        cases.put("control", Map.entry("{pathPrefix: \"/check\\tx\"}", true));
        cases.put("authority-port", Map.entry("{pathPrefix: \"//auth:x/check\"}", true));
        cases.put("triple-slash", Map.entry("{pathPrefix: \"///check%41\"}", false));
        cases.put("relative", Map.entry("{pathPrefix: check}", true));
        cases.put("status-299", Map.entry("{statusOnError: \"299\"}", true));
        cases.put("status-403", Map.entry("{statusOnError: \"403\"}", false));
        cases.put("wildcard-header", Map.entry("{headersToDownstreamOnDeny: [\"*\"]}", true));

        var meshMap = client.configMaps().inNamespace("istio-system").withName("istio").get();
        String original = meshMap.getData().get("mesh");
        List<String> pods = new ArrayList<>();
        Map<String, JsonNode> providers = new LinkedHashMap<>();
        try {
            ObjectNode mesh = (ObjectNode) (original == null || original.isBlank() ? YAML.createObjectNode() : YAML.readTree(original));
            var list = mesh.putArray("extensionProviders");
            for (var c : cases.entrySet()) {
                ObjectNode p = list.addObject().put("name", "mf-" + c.getKey());
                ObjectNode http = (ObjectNode) YAML.readTree(c.getValue().getKey());
                http.put("service", service).put("port", 8000);
                p.set("envoyExtAuthzHttp", http);
                providers.put(c.getKey(), p);
            }
            client.configMaps().inNamespace("istio-system").withName("istio")
                    .edit(cm -> { cm.getData().put("mesh", YAML.writeValueAsString(mesh)); return cm; });
            for (String name : cases.keySet()) {
                cluster.newPausePod(ns, name, Map.of("app", name), 8080);
                pods.add(ns + "/" + name);
                client.genericKubernetesResources(AUTHZ).inNamespace(ns).resource(GenericObjects.of("security.istio.io/v1",
                        "AuthorizationPolicy", ns, name, Map.of("selector", Map.of("matchLabels", Map.of("app", name)),
                                "action", "CUSTOM", "provider", Map.of("name", "mf-" + name),
                                "rules", List.of(Map.of("to", List.of(Map.of("operation", Map.of("paths", List.of("/x"))))))))).create();
            }
            Map<String, Boolean> istiod = new LinkedHashMap<>();
            for (int attempt = 0; attempt < 30 && istiod.size() < cases.size(); attempt++) {
                istiod.clear();
                String answer = cluster.proxyConfig().probe(pods, List.of());
                JsonNode doc = JSON.readTree(answer.substring(answer.startsWith("{") ? 0 : answer.indexOf("\n{") + 1));
                for (JsonNode proxy : doc.get("proxies")) {
                    String name = proxy.get("pod").asString().substring(ns.length() + 1);
                    String filters = proxy.path("authorization").toString();
                    if (filters.contains("deny-due-to-bad-CUSTOM-action")) {
                        istiod.put(name, true);
                    } else if (filters.contains("mf-" + name) || filters.contains(service)) {
                        istiod.put(name, false);
                    }
                }
                Thread.sleep(500);
            }
            Map<String, Boolean> meshform = new LinkedHashMap<>();
            Map<String, Boolean> expected = new LinkedHashMap<>();
            cases.forEach((name, c) -> {
                meshform.put(name, !ExtAuthzRules.check(providers.get(name)).isEmpty());
                expected.put(name, c.getValue());
            });
            assertEquals(expected, istiod, "istiod's answers (true: refused) are the ones this test states");
            assertEquals(istiod, meshform, "meshform refuses what istiod refuses");
        } finally {
            client.genericKubernetesResources(AUTHZ).inNamespace(ns).delete();
            client.configMaps().inNamespace("istio-system").withName("istio").edit(cm -> {
                cm.getData().put("mesh", original);
                return cm;
            });
        }
    }
}

package io.meshform.providers.istio.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.meshform.providers.DefaultIstio;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.GenericObjects;
import io.meshform.testkit.LiveClusterTest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * A pod whose containers declare no port, behind a Service whose targetPort is 8080, under a namespace-wide STRICT
 * PeerAuthentication, with a DestinationRule that sends its Service plaintext. The test bed's istiod (Istio's own code)
 * gives the pod a STRICT inbound chain on 8080 that refuses plaintext and the caller a PLAINTEXT cluster: every call
 * breaks. {@link Reachability} must see the same: the port is served though no container declares it.
 */
@LiveClusterTest
class UndeclaredTargetPortIT {
    static final ObjectMapper JSON = new ObjectMapper();

    private static ResourceDefinitionContext kind(String group, String kind, String plural) {
        return new ResourceDefinitionContext.Builder().withGroup(group).withVersion("v1").withKind(kind).withPlural(plural)
                .withNamespaced(true).build();
    }

    @Test
    void istiodEnforcesStrictOnAnUndeclaredTargetPortAndTheModelSeesTheBrokenCall(ClusterContext cluster) throws Exception {
        DefaultIstio.ensure(cluster);
        var client = cluster.client();
        String ns = cluster.newNamespace();
        client.namespaces().withName(ns).edit(n -> {
            n.getMetadata().getLabels().put("istio-injection", "enabled");
            return n;
        });
        for (String app : List.of("web", "cli")) {
            client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName(app).addToLabels("app", app)
                    .endMetadata().withNewSpec().addNewContainer().withName("app").withImage("registry.k8s.io/pause:3.10")
                    .endContainer().endSpec().build()).create();
            client.pods().inNamespace(ns).withName(app).waitUntilCondition(p -> p != null && p.getStatus() != null
                    && p.getStatus().getPodIP() != null, 60, TimeUnit.SECONDS);
        }
        client.services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().addToSelector("app", "web").addNewPort().withName("http").withPort(80)
                .withNewTargetPort(8080).endPort().endSpec().build()).create();
        Map<String, Object> strict = Map.of("mtls", Map.of("mode", "STRICT"));
        Map<String, Object> plain = Map.of("host", "web", "trafficPolicy", Map.of("tls", Map.of("mode", "DISABLE")));
        client.genericKubernetesResources(kind("security.istio.io", "PeerAuthentication", "peerauthentications")).inNamespace(ns)
                .resource(GenericObjects.of("security.istio.io/v1", "PeerAuthentication", ns, "default", strict)).create();
        client.genericKubernetesResources(kind("networking.istio.io", "DestinationRule", "destinationrules")).inNamespace(ns)
                .resource(GenericObjects.of("networking.istio.io/v1", "DestinationRule", ns, "web-plain", plain)).create();

        String host = "web." + ns + ".svc.cluster.local";
        String last = "";
        boolean seen = false;
        for (int attempt = 0; attempt < 20 && !seen; attempt++) {
            String answer = cluster.proxyConfig().probe(List.of(ns + "/web", ns + "/cli"), List.of(host + ":80"));
            JsonNode proxies = JSON.readTree(answer.substring(answer.indexOf('{'))).get("proxies");
            last = proxies.toString();
            JsonNode inbound = proxies.get(0).path("inbound");
            JsonNode outbound = proxies.get(1).path("outbound");
            seen = inbound.toString().contains("\"port\":8080") && inbound.toString().contains("\"mode\":\"STRICT\"")
                    && outbound.toString().contains("\"transport\":\"PLAINTEXT\"");
            if (!seen) {
                Thread.sleep(500);
            }
        }
        assertEquals(true, seen, "istiod: a STRICT inbound chain on the undeclared 8080, a PLAINTEXT cluster to web: " + last);

        ReachPod web = new ReachPod(ns, "web", "web", Map.of("app", "web"), true, false, false, List.of());
        ReachPod cli = new ReachPod(ns, "cli", "cli", Map.of("app", "cli"), true, false, false, List.of());
        ReachService svc = new ReachService(ns, "web", Map.of("app", "web"), false,
                List.of(new ReachService.Port(80, "http", null, "8080")));
        PeerPolicy pa = PeerPolicy.of(ns, "default", Instant.now(), JSON.valueToTree(strict), null);
        DestinationPolicy dr = DestinationPolicy.of(ns, "web-plain", Instant.now(), JSON.valueToTree(plain), null);
        MeshState state = new MeshState("istio-system", true, List.of("*"), MeshState.DEFAULT_DOMAIN, List.of(web, cli),
                List.of(svc), List.of(pa), List.of(dr), List.of());
        Reachability r = new Reachability(state);
        Reachability.Server server = r.servers().values().stream().filter(s -> s.id().equals(ns + "/web")).findFirst()
                .orElseThrow(() -> new AssertionError("web serves 8080 through its Service: " + r.servers().keySet()));
        assertEquals(Reachability.Problem.PLAINTEXT_TO_STRICT, r.outcome(r.clients().get(ns + "/cli"), server.entries().get(0)).problem());
    }
}

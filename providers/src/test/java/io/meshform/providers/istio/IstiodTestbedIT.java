package io.meshform.providers.istio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.meshform.providers.DefaultIstio;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.GenericObjects;
import io.meshform.testkit.LiveClusterTest;
import io.meshform.testkit.Testbed;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The test bed's istiod (testbed/istiod: Istio's own webhook, injector and xDS code) answers the API server: Istio's
 * validation refuses an invalid policy, Istio's injector adds the sidecar from the installed template, and the
 * proxy-config probe reads the mTLS modes istiod computes for a pod from the listeners and clusters it sends.
 */
@LiveClusterTest
class IstiodTestbedIT {
    static final String ISTIO_VERSION = Testbed.versions().get("ISTIO_VERSION");
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeEach
    void istio(ClusterContext cluster) {
        DefaultIstio.ensure(cluster);
    }

    private static ResourceDefinitionContext kind(String group, String kind, String plural) {
        return new ResourceDefinitionContext.Builder().withGroup(group).withVersion("v1").withKind(kind)
                .withPlural(plural).withNamespaced(true).build();
    }

    static final ResourceDefinitionContext AUTHZ = kind("security.istio.io", "AuthorizationPolicy", "authorizationpolicies");
    static final ResourceDefinitionContext PEER_AUTHN = kind("security.istio.io", "PeerAuthentication", "peerauthentications");
    static final ResourceDefinitionContext DESTINATION_RULE = kind("networking.istio.io", "DestinationRule", "destinationrules");

    @Test
    void anInvalidAuthorizationPolicyIsRefusedByTheApiServerWithIstiosMessage(ClusterContext cluster) {
        String ns = cluster.newNamespace();
        var policy = GenericObjects.of("security.istio.io/v1", "AuthorizationPolicy", ns, "custom-with-principals", Map.of(
                "action", "CUSTOM", "provider", Map.of("name", "cortex-auth"),
                "rules", List.of(Map.of("from", List.of(Map.of("source", Map.of("principals", List.of("cluster.local/ns/a/sa/b"))))))));
        var e = assertThrows(KubernetesClientException.class,
                () -> cluster.client().genericKubernetesResources(AUTHZ).inNamespace(ns).resource(policy).create());
        String msg = e.getMessage();
        assertTrue(msg.contains("admission webhook") && msg.contains("validation.istio.io") && msg.contains("denied the request"),
                "refused by Istio's validation webhook: " + msg);
        assertTrue(msg.contains("From.Principals is currently not supported with CUSTOM action"), "Istio's own message: " + msg);
        assertEquals(null, cluster.client().genericKubernetesResources(AUTHZ).inNamespace(ns).withName("custom-with-principals").get());

        // Istio's validation controller patched its caBundle in and, once the webhook refused its own invalid
        // probe, switched the webhook to fail closed.
        var validator = cluster.client().admissionRegistration().v1().validatingWebhookConfigurations().withName("istiod-default-validator")
                .waitUntilCondition(v -> v != null && v.getWebhooks().stream().allMatch(w -> "Fail".equals(w.getFailurePolicy())),
                        90, TimeUnit.SECONDS);
        assertTrue(validator.getWebhooks().stream().allMatch(w -> w.getClientConfig().getCaBundle() != null
                && !w.getClientConfig().getCaBundle().isEmpty()), "caBundle patched");

        // A valid one passes the same webhook.
        var valid = GenericObjects.of("security.istio.io/v1", "AuthorizationPolicy", ns, "custom-ok", Map.of(
                "action", "CUSTOM", "provider", Map.of("name", "cortex-auth"), "rules", List.of(Map.of("to",
                        List.of(Map.of("operation", Map.of("paths", List.of("/api/*"))))))));
        assertNotNull(cluster.client().genericKubernetesResources(AUTHZ).inNamespace(ns).resource(valid).create());
    }

    private static List<Container> proxies(Pod p) {
        return Stream.concat(p.getSpec().getContainers().stream(), p.getSpec().getInitContainers().stream())
                .filter(c -> c.getName().equals("istio-proxy")).toList();
    }

    @Test
    void aPodInAnInjectedNamespaceGetsTheSidecarFromIstiodsTemplateUnlessItOptsOut(ClusterContext cluster) {
        String ns = cluster.newInjectedNamespace();
        Pod injected = cluster.newPausePod(ns, "web-0", Map.of("app", "web"), 8080);
        List<Container> proxy = proxies(injected);
        assertEquals(1, proxy.size(), "one istio-proxy (container or native sidecar): " + injected.getSpec());
        assertEquals("docker.io/istio/proxyv2:" + ISTIO_VERSION, proxy.get(0).getImage());
        assertTrue(proxy.get(0).getArgs().containsAll(List.of("proxy", "sidecar")), proxy.get(0).getArgs().toString());
        assertNotNull(injected.getMetadata().getAnnotations().get("sidecar.istio.io/status"), "the injector's status annotation");
        assertEquals("istio", injected.getMetadata().getLabels().get("security.istio.io/tlsMode"));
        assertTrue(Stream.concat(injected.getSpec().getInitContainers().stream(), injected.getSpec().getContainers().stream())
                .anyMatch(c -> c.getName().equals("istio-init") || c.getName().equals("istio-validation")),
                "the traffic-redirection init container of the template");

        Pod optedOut = cluster.newPausePod(ns, "batch-0", Map.of("app", "batch", "sidecar.istio.io/inject", "false"));
        assertEquals(List.of(), proxies(optedOut), "sidecar.istio.io/inject=false: no sidecar");
        assertEquals(null, optedOut.getMetadata().getAnnotations() == null ? null
                : optedOut.getMetadata().getAnnotations().get("sidecar.istio.io/status"));
    }

    /**
     * What InjectionLabelEffects' warning says of an istio-injection value other than enabled: Istio's injector injects
     * nothing in that namespace, not even a pod that asks for it with its own label.
     */
    @Test
    void anyIstioInjectionValueButEnabledTurnsInjectionOffEvenForPodsThatAsk(ClusterContext cluster) {
        DefaultIstio.ensure(cluster);
        String ns = cluster.newNamespace();
        cluster.client().namespaces().withName(ns).edit(n -> {
            n.getMetadata().getLabels().put("istio-injection", "on");
            return n;
        });
        assertEquals(List.of(), proxies(cluster.newPausePod(ns, "plain-0", Map.of("app", "plain"))));
        assertEquals(List.of(), proxies(cluster.newPausePod(ns, "asks-0", Map.of("app", "asks", "sidecar.istio.io/inject", "true"))));
    }

    private static JsonNode probe(ClusterContext cluster, List<String> pods, List<String> destinations) {
        return JSON.readTree(cluster.proxyConfig().probe(pods, destinations));
    }

    private static JsonNode proxy(JsonNode doc, String pod) {
        for (JsonNode p : doc.get("proxies")) {
            if (p.get("pod").asText().equals(pod)) {
                return p;
            }
        }
        throw new AssertionError("no proxy " + pod + " in " + doc);
    }

    private static String mode(JsonNode proxy, int port) {
        for (JsonNode p : proxy.get("inbound")) {
            if (p.get("port").asInt() == port) {
                return p.get("mode").asText();
            }
        }
        throw new AssertionError("no inbound port " + port + " in " + proxy.get("inbound"));
    }

    private static JsonNode destination(JsonNode proxy, int port) {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode d : proxy.get("outbound")) {
            if (d.get("port").asInt() == port && d.path("subset").asText("").isEmpty()) {
                found.add(d);
            }
        }
        assertEquals(1, found.size(), proxy.get("outbound").toString());
        return found.get(0);
    }

    /**
     * The probe reads istiod's answer for PeerAuthentication (namespace STRICT, a workload's port-level DISABLE) and
     * DestinationRule (tls DISABLE) from the listeners and clusters it sends, and follows changes.
     */
    @Test
    void theProxyConfigProbeReportsTheMtlsModesIstiodComputes(ClusterContext cluster) {
        // Ports no Service of the cluster is likely to use: a cluster shared with other work (bin/quickstart leaves the
        // auth proxy's Service on 8080) gives every sidecar an outbound listener on each Service port, and the
        // by-address check below needs a port that only virtualOutbound serves.
        int app = 18080;
        int metrics = 19090;
        String ns = cluster.newInjectedNamespace();
        // The namespace's own policy, so that a mesh-wide one left in istio-system (quickstart's STRICT) does not decide
        // the modes: a namespace policy overrides the mesh's (Istio's authn policy_applier.go).
        peerAuthentication(cluster, ns, "PERMISSIVE");
        String serverIp = cluster.newPausePod(ns, "server-0", Map.of("app", "server"), app, metrics).getStatus().getPodIP();
        cluster.newPausePod(ns, "client-0", Map.of("app", "client"));
        cluster.client().services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName("server").endMetadata()
                .withNewSpec().addToSelector("app", "server")
                .addNewPort().withName("http").withPort(80).withNewTargetPort(app).endPort()
                .addNewPort().withName("tcp").withPort(metrics).withNewTargetPort(metrics).endPort()
                .endSpec().build()).create();
        String server = ns + "/server-0";
        String client = ns + "/client-0";
        String host = "server." + ns;

        JsonNode before = probe(cluster, List.of(server, client), List.of(host));
        assertTrue(proxy(before, server).get("sidecarInjected").asBoolean());
        assertEquals("PERMISSIVE", mode(proxy(before, server), app), "the namespace's policy: " + proxy(before, server).get("inbound"));
        assertEquals("PERMISSIVE", mode(proxy(before, server), metrics));
        JsonNode auto = destination(proxy(before, client), 80);
        assertEquals("outbound|80||server." + ns + ".svc.cluster.local", auto.get("cluster").asText());
        assertTrue(auto.get("originatesMtls").asBoolean(), "auto mTLS to a server with a sidecar: " + auto);
        assertEquals("ISTIO_MUTUAL", auto.get("endpoints").get(0).get("transport").asText(), auto.toString());

        // The same server by its pod IP on the container port (as a client that skips the Service connects): no
        // listener serves that address and port, so virtualOutbound passes it through in plaintext, without mTLS.
        JsonNode direct = JSON.readTree(cluster.proxyConfig().probe(List.of(client), List.of(serverIp + ":" + app)));
        JsonNode byIp = proxy(direct, client).get("outbound");
        assertEquals(1, byIp.size(), byIp.toString());
        assertEquals(serverIp, byIp.get(0).get("host").asText());
        assertEquals("PassthroughCluster", byIp.get(0).get("cluster").asText(), byIp.toString());
        assertTrue(byIp.get(0).get("via").asText().contains("listener virtualOutbound"), byIp.toString());
        assertFalse(byIp.get(0).get("originatesMtls").asBoolean(), byIp.toString());

        peerAuthentication(cluster, ns, "STRICT");
        cluster.client().genericKubernetesResources(PEER_AUTHN).inNamespace(ns).resource(GenericObjects.of("security.istio.io/v1",
                "PeerAuthentication", ns, "server-metrics", Map.of("selector", Map.of("matchLabels", Map.of("app", "server")),
                        "portLevelMtls", Map.of(String.valueOf(metrics), Map.of("mode", "DISABLE"))))).create();
        cluster.client().genericKubernetesResources(DESTINATION_RULE).inNamespace(ns).resource(GenericObjects.of("networking.istio.io/v1",
                "DestinationRule", ns, "server-plaintext", Map.of("host", host + ".svc.cluster.local",
                        "trafficPolicy", Map.of("tls", Map.of("mode", "DISABLE"))))).create();

        JsonNode after = probe(cluster, List.of(server, client), List.of(host));
        assertEquals("STRICT", mode(proxy(after, server), app), proxy(after, server).get("inbound").toString());
        assertEquals("DISABLE", mode(proxy(after, server), metrics), "the workload's port-level override");
        JsonNode plain = destination(proxy(after, client), 80);
        assertFalse(plain.get("originatesMtls").asBoolean(), "DestinationRule tls DISABLE: " + plain);
        assertEquals("PLAINTEXT", plain.get("endpoints").get(0).get("transport").asText(), plain.toString());
    }

    /** The namespace-wide PeerAuthentication {@code default} in {@code ns}, created or changed to this mode. */
    private static void peerAuthentication(ClusterContext cluster, String ns, String mode) {
        cluster.client().genericKubernetesResources(PEER_AUTHN).inNamespace(ns).resource(GenericObjects.of("security.istio.io/v1",
                "PeerAuthentication", ns, "default", Map.of("mtls", Map.of("mode", mode)))).serverSideApply();
    }
}

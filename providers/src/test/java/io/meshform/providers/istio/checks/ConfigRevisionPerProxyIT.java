package io.meshform.providers.istio.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.Severity;
import io.meshform.providers.DefaultIstio;
import io.meshform.providers.Harness;
import io.meshform.providers.kubernetes.Json;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.GenericObjects;
import io.meshform.testkit.LiveClusterTest;
import io.meshform.testkit.Testbed;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Two control planes at once, as in a canary upgrade: the test bed's istiod of revision default and a second one,
 * revision {@code pp-canary}, installed with the real istioctl. A mesh-wide STRICT PeerAuthentication labelled
 * {@code istio.io/rev: pp-canary} is read by the canary's istiod alone ({@code inRevision},
 * pilot/pkg/config/kube/crdclient/client.go), which configures only the proxies its injector gave a sidecar: the
 * canary's pod gets STRICT, the default revision's pod stays PERMISSIVE. meshform's plan of that policy says the
 * plaintext client breaks towards the canary's pod only; before, it judged the policy for every pod and said the
 * default revision's pod broke too.
 */
@LiveClusterTest
class ConfigRevisionPerProxyIT {
    private static final String CANARY = "pp-canary";
    private static final String POLICY = "pp-canary-strict";

    @TempDir
    Path dir;

    @Test
    void aPolicyLabelledForOneRunningRevisionActsOnThatRevisionsProxiesOnly(ClusterContext cluster) throws Exception {
        DefaultIstio.ensure(cluster);
        KubernetesClient k = cluster.client();
        String canary = "version: \"1.30.3\"\nprofile: minimal\nrevision: " + CANARY + "\n";
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of("istioctl", Testbed.istioctl().toString()))) {
            h.apply("istio.install.canary", io.meshform.providers.TestSpecs.yaml(canary),
                    h.plan("istio.install.canary", io.meshform.providers.TestSpecs.yaml(canary)).privateData());
            String onDefault = cluster.newInjectedNamespace();
            String onCanary = cluster.newNamespace();
            String tools = cluster.newNamespace();
            try {
                k.namespaces().withName(onCanary).edit(n -> {
                    n.getMetadata().getLabels().put("istio.io/rev", CANARY);
                    return n;
                });
                for (String ns : List.of(onDefault, onCanary)) {
                    cluster.newPausePod(ns, "api", Map.of("app", "api"), 8080);
                    k.services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName("api").endMetadata()
                            .withNewSpec().withSelector(Map.of("app", "api")).addNewPort().withName("http").withPort(8080).endPort()
                            .endSpec().build()).create();
                }
                cluster.newPausePod(tools, "curl", Map.of("app", "curl"));
                assertEquals("default", probe(cluster, onDefault).path("revision").asString());
                assertEquals(CANARY, probe(cluster, onCanary).path("revision").asString());

                denyByNamespace(cluster, h, onDefault, onCanary, tools);
                List<String> warned = plan(h);
                String breaks = "api:8080 (via api:8080) breaks: plaintext to a port that requires mTLS";
                assertTrue(warned.stream().anyMatch(s -> s.contains(tools + "/curl") && s.contains("-> " + onCanary + "/" + breaks)),
                        String.join("\n", warned));
                assertTrue(warned.stream().noneMatch(s -> s.contains(onDefault + "/api")), String.join("\n", warned));
                assertTrue(warned.stream().noneMatch(s -> s.contains("no istiod reads")), String.join("\n", warned));

                k.genericKubernetesResources(ConfigRevisionIT.PA).inNamespace("istio-system").resource(GenericObjects.of(
                        "security.istio.io/v1", "PeerAuthentication", "istio-system", POLICY, Map.of("mtls", Map.of("mode", "STRICT"))))
                        .create();
                k.genericKubernetesResources(ConfigRevisionIT.PA).inNamespace("istio-system").withName(POLICY).edit(o -> {
                    o.getMetadata().setLabels(Map.of("istio.io/rev", CANARY));
                    return o;
                });
                String mode = "";
                for (int attempt = 0; attempt < 20 && !mode.equals("STRICT"); attempt++) {
                    Thread.sleep(300);
                    mode = inbound(cluster, onCanary);
                }
                assertEquals("STRICT", mode, "the canary's istiod reads the policy labelled with its revision");
                for (int i = 0; i < 3; i++) {
                    assertEquals("PERMISSIVE", inbound(cluster, onDefault), "the default revision's istiod does not read it");
                    Thread.sleep(300);
                }
                cluster.newPausePod(onCanary, "web", Map.of("app", "web"));
                plaintextRule(cluster, h, onDefault, onCanary);
            } finally {
                // Gone before the next test reads the cluster, as in ConfigRevisionIT: the namespaces' deletion ends
                // later, and a plaintext client or a meshed server left meanwhile would join another test's mTLS preview.
                k.genericKubernetesResources(ConfigRevisionIT.PA).inNamespace("istio-system").withName(POLICY).delete();
                k.genericKubernetesResources("networking.istio.io/v1", "DestinationRule").inNamespace(onCanary)
                        .withName("pp-canary-plain").delete();
                for (String[] pod : new String[][] {{tools, "curl"}, {onDefault, "api"}, {onCanary, "api"}, {onCanary, "web"}}) {
                    k.services().inNamespace(pod[0]).withName("api").delete();
                    k.pods().inNamespace(pod[0]).withName(pod[1]).withGracePeriod(0).delete();
                    k.pods().inNamespace(pod[0]).withName(pod[1]).waitUntilCondition(java.util.Objects::isNull, 60,
                            java.util.concurrent.TimeUnit.SECONDS);
                }
                h.delete("istio.install.canary");
            }
        }
    }

    /**
     * A DENY of the tools namespace's requests, mesh-wide and labelled for the canary: the canary's istiod gives its pod
     * the RBAC filter, the default revision's gives its pod none; meshform says the plaintext port it cannot enforce
     * on is the canary's pod's alone (deny-by-identity-on-plaintext).
     */
    private void denyByNamespace(ClusterContext cluster, Harness h, String onDefault, String onCanary, String tools) throws Exception {
        var stack = Stacks.load(dir, """
                  - type: kubernetes.manifest
                    name: deny
                    spec:
                      manifest:
                        apiVersion: security.istio.io/v1
                        kind: AuthorizationPolicy
                        metadata: {name: pp-canary-deny, namespace: istio-system, labels: {istio.io/rev: REV}}
                        spec: {action: DENY, rules: [{from: [{source: {namespaces: [TOOLS]}}]}]}
                """.replace("REV", CANARY).replace("TOOLS", tools));
        List<Diagnostic> ds = h.types.checks().stream().filter(c -> c.name().equals("deny-by-identity-on-plaintext"))
                .map(c -> c.check(Stacks.plan(stack))).flatMap(List::stream).toList();
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).detail().contains(onCanary + "/api"), ds.get(0).detail());
        assertFalse(ds.get(0).detail().contains(onDefault + "/api"), ds.get(0).detail());
        var policies = cluster.client().genericKubernetesResources("security.istio.io/v1", "AuthorizationPolicy").inNamespace("istio-system");
        policies.resource(GenericObjects.of("security.istio.io/v1", "AuthorizationPolicy", "istio-system", "pp-canary-deny",
                Map.of("action", "DENY", "rules", List.of(Map.of("from", List.of(Map.of("source", Map.of("namespaces", List.of(tools)))))))))
                .create();
        try {
            policies.withName("pp-canary-deny").edit(o -> {
                o.getMetadata().setLabels(Map.of("istio.io/rev", CANARY));
                return o;
            });
            String rbac = "";
            for (int attempt = 0; attempt < 20 && !rbac.contains("pp-canary-deny"); attempt++) {
                Thread.sleep(300);
                rbac = probe(cluster, onCanary).path("authorization").toString();
            }
            assertTrue(rbac.contains("pp-canary-deny"), "the canary's istiod enforces it: " + rbac);
            for (int i = 0; i < 3; i++) {
                String other = probe(cluster, onDefault).path("authorization").toString();
                assertFalse(other.contains("pp-canary-deny"), "the default revision's istiod does not read it: " + other);
                Thread.sleep(300);
            }
        } finally {
            policies.withName("pp-canary-deny").delete();
        }
    }

    /**
     * The client side, with the STRICT labelled for the canary live: a DestinationRule sending plaintext to the canary's
     * api, labelled for the canary, is read by the canary's istiod alone: its sidecar client (web) sends plaintext
     * (real istiod: the cluster's transport is PLAINTEXT) and breaks on the STRICT port, while the default revision's
     * client keeps auto mTLS. The plan says web breaks and names no default-revision client.
     */
    private void plaintextRule(ClusterContext cluster, Harness h, String onDefault, String onCanary) throws Exception {
        String host = "api." + onCanary + ".svc.cluster.local";
        var stack = Stacks.load(dir, """
                  - type: kubernetes.manifest
                    name: plain
                    spec:
                      manifest:
                        apiVersion: networking.istio.io/v1
                        kind: DestinationRule
                        metadata: {name: pp-canary-plain, namespace: NS, labels: {istio.io/rev: REV}}
                        spec: {host: HOST, trafficPolicy: {tls: {mode: DISABLE}}}
                """.replace("NS", onCanary).replace("REV", CANARY).replace("HOST", host));
        List<String> warned = h.types.checks().stream().filter(c -> c.name().equals("mtls-reachability"))
                .map(c -> c.check(Stacks.plan(stack))).flatMap(List::stream).filter(d -> d.severity() == Severity.WARNING)
                .map(Diagnostic::summary).toList();
        String into = "-> " + onCanary + "/api:8080 (via api:8080) breaks: plaintext to a port that requires mTLS";
        List<String> lines = warned.stream().filter(s -> s.contains(into)).toList();
        assertEquals(1, lines.size(), String.join("\n", warned));
        assertTrue(lines.get(0).contains(onCanary + "/web"), lines.get(0));
        assertFalse(lines.get(0).contains(onDefault + "/api"), lines.get(0));
        var rules = cluster.client().genericKubernetesResources("networking.istio.io/v1", "DestinationRule").inNamespace(onCanary);
        rules.resource(GenericObjects.of("networking.istio.io/v1", "DestinationRule", onCanary, "pp-canary-plain",
                Map.of("host", host, "trafficPolicy", Map.of("tls", Map.of("mode", "DISABLE"))))).create();
        rules.withName("pp-canary-plain").edit(o -> {
            o.getMetadata().setLabels(Map.of("istio.io/rev", CANARY));
            return o;
        });
        boolean mtls = true;
        for (int attempt = 0; attempt < 20 && mtls; attempt++) {
            Thread.sleep(300);
            mtls = outbound(cluster, onCanary + "/web", host).path("originatesMtls").asBoolean();
        }
        assertFalse(mtls, "the canary's istiod gives its client the rule: " + outbound(cluster, onCanary + "/web", host));
        for (int i = 0; i < 3; i++) {
            JsonNode other = outbound(cluster, onDefault + "/api", host);
            assertTrue(other.path("originatesMtls").asBoolean(), "the default revision's istiod does not read it: " + other);
            Thread.sleep(300);
        }
    }

    /** What istiod configures the pod {@code pod} (ns/name) to send to {@code host}:8080. */
    private static JsonNode outbound(ClusterContext cluster, String pod, String host) {
        String answer = cluster.proxyConfig().probe(List.of(pod), List.of(host + ":8080"));
        return Json.MAPPER.readTree(answer.substring(answer.startsWith("{") ? 0 : answer.indexOf("\n{") + 1)).path("proxies").get(0)
                .path("outbound").get(0);
    }

    /** The warnings of the mTLS and revision checks for a plan creating the mesh-wide STRICT labelled for the canary. */
    private List<String> plan(Harness h) {
        var stack = Stacks.load(dir, """
                  - type: kubernetes.manifest
                    name: strict
                    spec:
                      manifest:
                        apiVersion: security.istio.io/v1
                        kind: PeerAuthentication
                        metadata: {name: POLICY, namespace: istio-system, labels: {istio.io/rev: REV}}
                        spec: {mtls: {mode: STRICT}}
                """.replace("POLICY", POLICY).replace("REV", CANARY));
        return h.types.checks().stream().filter(c -> c.name().equals("mtls-reachability") || c.name().equals("config-revision-ignored"))
                .map(c -> c.check(Stacks.plan(stack))).flatMap(List::stream).filter(d -> d.severity() == Severity.WARNING)
                .map(Diagnostic::summary).collect(Collectors.toList());
    }

    private static JsonNode probe(ClusterContext cluster, String ns) {
        String answer = cluster.proxyConfig().probe(List.of(ns + "/api"), List.of());
        return Json.MAPPER.readTree(answer.substring(answer.startsWith("{") ? 0 : answer.indexOf("\n{") + 1)).path("proxies").get(0);
    }

    /** The inbound mode istiod gives port 8080 of the pod ns/api. */
    private static String inbound(ClusterContext cluster, String ns) {
        for (JsonNode in : probe(cluster, ns).path("inbound")) {
            if (in.path("port").asInt() == 8080) {
                return in.path("mode").asString();
            }
        }
        throw new AssertionError("no inbound port 8080 on " + ns + "/api");
    }
}

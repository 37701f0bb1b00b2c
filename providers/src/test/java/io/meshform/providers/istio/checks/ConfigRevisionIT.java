package io.meshform.providers.istio.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.Severity;
import io.meshform.engine.spi.PlanCheck;
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
 * A PeerAuthentication labelled {@code istio.io/rev} with a revision no istiod serves, against the test bed's istiod
 * (revision default): istiod ignores it ({@code inRevision}, pilot/pkg/config/kube/crdclient/client.go), so the pod's
 * port stays PERMISSIVE, and meshform's plan of it breaks nothing and says the policy is read by no istiod; labelled
 * {@code default}, istiod makes the port STRICT and the plan says the plaintext client breaks.
 */
@LiveClusterTest
class ConfigRevisionIT {
    static final ResourceDefinitionContext PA = new ResourceDefinitionContext.Builder().withGroup("security.istio.io")
            .withVersion("v1").withKind("PeerAuthentication").withPlural("peerauthentications").withNamespaced(true).build();

    @TempDir
    Path dir;

    @Test
    void aPolicyForARevisionNoIstiodServesIsIgnoredByIstiodAndByThePlan(ClusterContext cluster) throws Exception {
        DefaultIstio.ensure(cluster);
        KubernetesClient k = cluster.client();
        String ns = cluster.newInjectedNamespace();
        String tools = cluster.newNamespace();
        cluster.newPausePod(ns, "api", Map.of("app", "api"), 8080);
        cluster.newPausePod(tools, "curl", Map.of("app", "curl"));
        k.services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName("api").endMetadata().withNewSpec()
                .withSelector(Map.of("app", "api")).addNewPort().withName("http").withPort(8080).endPort().endSpec().build()).create();
        String broken = "-> " + ns + "/api:8080 (via api:8080) breaks: plaintext to a port that requires mTLS";
        try {
            judge(cluster, ns, tools, broken);
        } finally {
            // Gone before the next test reads the cluster: the namespaces' deletion ends later, and a plaintext client,
            // a meshed server or a STRICT policy left meanwhile would join another test's mTLS preview
            // (MtlsReachabilityIT names every client and server of its plan's broken connections).
            k.genericKubernetesResources(PA).inNamespace(ns).withName("strict").delete();
            k.services().inNamespace(ns).withName("api").delete();
            for (String[] pod : new String[][] {{tools, "curl"}, {ns, "api"}}) {
                k.pods().inNamespace(pod[0]).withName(pod[1]).withGracePeriod(0).delete();
                k.pods().inNamespace(pod[0]).withName(pod[1]).waitUntilCondition(java.util.Objects::isNull, 60,
                        java.util.concurrent.TimeUnit.SECONDS);
            }
        }
    }

    private void judge(ClusterContext cluster, String ns, String tools, String broken) throws Exception {
        KubernetesClient k = cluster.client();
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of("istioctl", Testbed.istioctl().toString()))) {
            List<Diagnostic> canary = plan(h, ns, "canary");
            assertTrue(warnings(canary).stream().noneMatch(s -> s.contains(ns + "/api")), String.join("\n", warnings(canary)));
            assertTrue(warnings(canary).contains("kubernetes.manifest.strict: no istiod reads PeerAuthentication " + ns
                    + "/strict: it is labelled istio.io/rev=canary, and the control plane serves revision default"),
                    String.join("\n", warnings(canary)));
            List<Diagnostic> rev = plan(h, ns, "default");
            // the plaintext clients of the port are named together (other tests' clients may join curl)
            assertTrue(warnings(rev).stream().anyMatch(s -> s.contains(tools + "/curl") && s.contains(broken)),
                    String.join("\n", warnings(rev)));
        }
        k.genericKubernetesResources(PA).inNamespace(ns).resource(GenericObjects.of("security.istio.io/v1", "PeerAuthentication",
                ns, "strict", Map.of("selector", Map.of("matchLabels", Map.of("app", "api")), "mtls", Map.of("mode", "STRICT"))))
                .create();
        k.genericKubernetesResources(PA).inNamespace(ns).withName("strict").edit(o -> {
            o.getMetadata().setLabels(Map.of("istio.io/rev", "canary"));
            return o;
        });
        for (int i = 0; i < 3; i++) {
            assertEquals("PERMISSIVE", inbound(cluster, ns), "istiod ignores the policy of revision canary");
            Thread.sleep(300);
        }
        k.genericKubernetesResources(PA).inNamespace(ns).withName("strict").edit(o -> {
            o.getMetadata().setLabels(Map.of("istio.io/rev", "default"));
            return o;
        });
        String mode = "";
        for (int attempt = 0; attempt < 20 && !mode.equals("STRICT"); attempt++) {
            Thread.sleep(300);
            mode = inbound(cluster, ns);
        }
        assertEquals("STRICT", mode, "istiod of revision default reads the policy once it is labelled default");
    }

    /** The check results of a plan creating the policy, labelled {@code istio.io/rev: rev}. */
    private List<Diagnostic> plan(Harness h, String ns, String rev) {
        var stack = Stacks.load(dir, """
                  - type: kubernetes.manifest
                    name: strict
                    spec:
                      manifest:
                        apiVersion: security.istio.io/v1
                        kind: PeerAuthentication
                        metadata: {name: strict, namespace: NS, labels: {istio.io/rev: REV}}
                        spec: {selector: {matchLabels: {app: api}}, mtls: {mode: STRICT}}
                """.replace("NS", ns).replace("REV", rev));
        return h.types.checks().stream().filter(c -> c.name().equals("mtls-reachability") || c.name().equals("config-revision-ignored"))
                .map(c -> c.check(Stacks.plan(stack))).flatMap(List::stream).toList();
    }

    private static List<String> warnings(List<Diagnostic> ds) {
        return ds.stream().filter(d -> d.severity() == Severity.WARNING).map(Diagnostic::summary).collect(Collectors.toList());
    }

    /** The inbound mode istiod gives port 8080 of the pod ns/api. */
    private static String inbound(ClusterContext cluster, String ns) {
        String answer = cluster.proxyConfig().probe(List.of(ns + "/api"), List.of());
        JsonNode doc = Json.MAPPER.readTree(answer.substring(answer.startsWith("{") ? 0 : answer.indexOf("\n{") + 1));
        for (JsonNode in : doc.path("proxies").get(0).path("inbound")) {
            if (in.path("port").asInt() == 8080) {
                return in.path("mode").asString();
            }
        }
        throw new AssertionError("no inbound port 8080: " + answer);
    }
}

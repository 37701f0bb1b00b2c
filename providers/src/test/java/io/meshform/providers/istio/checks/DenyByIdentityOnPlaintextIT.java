package io.meshform.providers.istio.checks;

import static io.meshform.providers.TestSpecs.decl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.Environment;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.ProviderSettings;
import io.meshform.providers.DefaultIstio;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.GenericObjects;
import io.meshform.testkit.LiveClusterTest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * What {@link DenyByIdentityOnPlaintext} says of a {@code when} condition, against the test bed's istiod: a DENY whose
 * only identity test is {@code when: [{key: source.namespace, values: [legacy]}]} becomes an RBAC DENY rule whose
 * principal ANDs an {@code authenticated} matcher of the peer certificate (principalAuthenticated, pilot/pkg/security/
 * authz/model/principal.go) into its source, next to that source's {@code ipBlocks}, on a sidecar whose port 8080
 * accepts plaintext (PERMISSIVE, Istio's default): a plaintext request has no certificate, matches no such rule and is
 * not denied, and the check warns. With {@code notValues} istiod negates that matcher ({@code not_id}), which a request
 * without a certificate matches, and the check is silent.
 */
@LiveClusterTest
class DenyByIdentityOnPlaintextIT {
    static final String DENY_NAME = "dbi-deny-legacy";

    @Test
    void aWhenConditionOnTheSourceNamespaceMatchesThePeerCertificate(ClusterContext cluster) throws Exception {
        DefaultIstio.ensure(cluster);
        var client = cluster.client();
        String ns = cluster.newInjectedNamespace();
        Pod pod = cluster.newPausePod(ns, "api-0", Map.of("app", "api"), 8080);
        assertTrue(pod.getSpec().getContainers().stream().anyMatch(c -> "istio-proxy".equals(c.getName()))
                || pod.getSpec().getInitContainers().stream().anyMatch(c -> "istio-proxy".equals(c.getName())),
                "istiod's webhook injects the pod");
        try {
            proveTheWhenCondition(cluster, ns);
        } finally {
            // gone before the next IT: the mesh-wide ITs (MtlsReachabilityIT) read every pod of the cluster, and the
            // namespace's deletion is asynchronous
            client.pods().inNamespace(ns).withName("api-0").withGracePeriod(0).delete();
            client.pods().inNamespace(ns).withName("api-0").waitUntilCondition(java.util.Objects::isNull, 60, TimeUnit.SECONDS);
        }
    }

    private void proveTheWhenCondition(ClusterContext cluster, String ns) throws Exception {
        var client = cluster.client();
        String name = ns + "/api-0";
        var policies = client.genericKubernetesResources(TokenNotRequiredIT.AUTHZ).inNamespace(ns);

        // the when condition goes into the source's AND, next to its ipBlocks (model.go New)
        policies.resource(deny(ns, Map.of("key", "source.namespace", "values", List.of("legacy")))).create();
        String rule = rule(cluster, name, "\"authenticated\"");
        assertTrue(rule.contains("\"and_ids\":{\"ids\":[{\"or_ids\":{\"ids\":[{\"direct_remote_ip\":{\"address_prefix\":\"10.8.0.0\""
                + ",\"prefix_len\":16}}]}},{\"or_ids\":{\"ids\":[" + authenticated("legacy") + "]}}]}") && !rule.contains("not_id"), rule);
        JsonNode inbound = TokenNotRequiredIT.JSON.readTree(probe(cluster, name)).get("proxies").get(0).path("inbound");
        assertTrue(inbound.toString().contains("\"mode\":\"PERMISSIVE\""), "port 8080 accepts plaintext: " + inbound);
        List<Diagnostic> ds = plan(cluster, ns, "values: [legacy]");
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().endsWith("matches callers by identity (when source.namespace [legacy]), but workloads it"
                + " guards accept plaintext, and a plaintext request has no identity, so it is not denied"), ds.get(0).summary());
        assertTrue(ds.get(0).detail().startsWith("accepting plaintext: " + ns + "/api-0: port 8080 PERMISSIVE"), ds.get(0).detail());

        policies.withName(DENY_NAME).delete();
        policies.resource(deny(ns, Map.of("key", "source.namespace", "notValues", List.of(ns)))).create();
        rule = rule(cluster, name, "\"not_id\"");
        assertTrue(rule.contains("{\"not_id\":{\"or_ids\":{\"ids\":[" + authenticated(ns) + "]}}}"), rule);
        assertEquals(List.of(), plan(cluster, ns, "notValues: [" + ns + "]"));
    }

    private static io.fabric8.kubernetes.api.model.GenericKubernetesResource deny(String ns, Map<String, Object> when) {
        return GenericObjects.of("security.istio.io/v1", "AuthorizationPolicy", ns, DENY_NAME, Map.of(
                "selector", Map.of("matchLabels", Map.of("app", "api")), "action", "DENY",
                "rules", List.of(Map.of("from", List.of(Map.of("source", Map.of("ipBlocks", List.of("10.8.0.0/16")))),
                        "when", List.of(when)))));
    }

    /** istiod's matcher of a peer certificate in namespace {@code ns} (srcNamespaceGenerator, generator.go), as JSON. */
    private static String authenticated(String ns) {
        return "{\"authenticated\":{\"principal_name\":{\"safe_regex\":{\"regex\":\".*/ns/" + ns + "/.*\"}}}}";
    }

    /** The RBAC rule istiod sends the pod for this test's policy, once it holds {@code expected}. */
    private static String rule(ClusterContext cluster, String pod, String expected) throws InterruptedException {
        String key = "ns[" + pod.substring(0, pod.indexOf('/')) + "]-policy[" + DENY_NAME + "]-rule[0]";
        String authz = "";
        for (int attempt = 0; attempt < 30; attempt++) {
            authz = TokenNotRequiredIT.JSON.readTree(probe(cluster, pod)).get("proxies").get(0).path("authorization").toString();
            int at = authz.indexOf(key);
            String rule = at < 0 ? "" : authz.substring(at);
            int next = rule.indexOf("-policy[", key.length());
            rule = next < 0 ? rule : rule.substring(0, next);
            if (at >= 0 && authz.contains("\"DENY\"") && rule.contains(expected)) {
                return rule;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("istiod did not push " + key + " with " + expected + ": " + authz);
    }

    private static String probe(ClusterContext cluster, String pod) {
        String answer = cluster.proxyConfig().probe(List.of(pod), List.of());
        return answer.substring(answer.startsWith("{") ? 0 : answer.indexOf("\n{") + 1);
    }

    /** The check at plan: the stack's DENY (the {@code when} condition on source.namespace) over the live cluster. */
    private static List<Diagnostic> plan(ClusterContext cluster, String ns, String condition) {
        ResourceDecl stack = decl("istio.authorizationPolicy.deny_legacy", "namespace: " + ns + "\nname: " + DENY_NAME
                + "\naction: DENY\nselector: {matchLabels: {app: api}}\nrules: [{from: [{source: {ipBlocks: [10.8.0.0/16]}}],"
                + " when: [{key: source.namespace, " + condition + "}]}]\n");
        try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of("kubeconfig", cluster.kubeconfigPath().toString())))) {
            CheckContext ctx = MeshChecksTest.ctx(CheckContext.Purpose.PLAN, Environment.PRODUCTION, stack);
            return DenyByIdentityOnPlaintext.findings(new PlannedMesh(ctx, new LiveCluster(kube)));
        }
    }
}

package io.meshform.providers.istio.checks;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.spi.PlanCheck;
import io.meshform.providers.Harness;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import io.meshform.testkit.Testbed;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * A canary as docs/istio-upgrades.md walks it, with the real istioctl and the test bed's istiod: the running install
 * declares the auth proxy's provider, the canary (revision {@code cov-canary}, profile default) does not, and has taken
 * the ingress gateway. istiod of the canary, which serves the gateway, turns the CUSTOM policy into a DENY of every
 * request it matches ({@code deny-due-to-bad-CUSTOM-action}); the plan's ingress coverage must say the same, judged
 * with the canary's mesh config (pilot/pkg/bootstrap/mesh.go getMeshConfigMapName: each revision its own ConfigMap).
 * Before, it judged with the first install's and said every request goes to the auth proxy.
 */
@LiveClusterTest
class IngressCoverageCanaryIT {
    private static final String PROVIDER = "mf-canary-auth";
    private static final String TRACER = "mf-canary-zipkin";
    private static final String LIVE_CANARY = "the live mesh config of revision cov-canary (ConfigMap istio-system/istio-cov-canary)";

    @TempDir
    Path dir;

    @Test
    void theGatewayMovedToTheCanaryIsJudgedAsTheCanarysIstiodConfiguresIt(ClusterContext cluster) throws Exception {
        KubernetesClient k = cluster.client();
        String authNs = cluster.newNamespace();
        k.services().inNamespace(authNs).resource(new ServiceBuilder().withNewMetadata().withName("auth").endMetadata()
                .withNewSpec().addNewPort().withPort(8080).endPort().endSpec().build()).create();
        String running = "version: \"1.30.3\"\nprofile: default\nextAuthz: [{name: " + PROVIDER + ", service: auth." + authNs
                + ".svc.cluster.local, port: 8080, timeout: 2s}]\nmeshConfig: {extensionProviders: [{name: " + TRACER
                + ", zipkin: {service: zipkin.istio-system.svc.cluster.local, port: 9411}}]}\n";
        String canary = "version: \"1.30.3\"\nprofile: default\nrevision: cov-canary\n";
        String policy = "namespace: istio-system\nname: cov-canary-ingress\nselector: {matchLabels: {istio: ingressgateway}}\n"
                + "action: CUSTOM\nprovider: {name: " + PROVIDER + "}\nrules: [{to: [{operation: {notPaths: [\"/health\"]}}]}]\n";
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of("istioctl", Testbed.istioctl().toString()))) {
            h.apply("istio.install.mesh", yaml(running), h.plan("istio.install.mesh", yaml(running)).privateData());
            h.apply("istio.install.canary", yaml(canary), h.plan("istio.install.canary", yaml(canary)).privateData());
            var gatewayObject = k.genericKubernetesResources("networking.istio.io/v1", "Gateway").inNamespace("istio-system")
                    .resource(new ObjectMapper().convertValue(Map.of("apiVersion", "networking.istio.io/v1", "kind", "Gateway",
                            "metadata", Map.of("name", "cov-canary", "namespace", "istio-system"),
                            "spec", Map.of("selector", Map.of("istio", "ingressgateway"), "servers", List.of(Map.of(
                                    "port", Map.of("number", 80, "name", "http", "protocol", "HTTP"), "hosts", List.of("*"))))),
                            GenericKubernetesResource.class));
            gatewayObject.createOr(r -> r.update());
            var authz = h.apply("istio.authorizationPolicy.ingress", yaml(policy));
            try {
                String pod = awaitGatewayOf(k, "cov-canary");
                JsonNode probed = new ObjectMapper().readTree(cluster.proxyConfig().probe(List.of("istio-system/" + pod), List.of()))
                        .get("proxies").get(0);
                assertEquals("cov-canary", probed.get("revision").asString(), "the canary's istiod serves the gateway");
                assertTrue(probed.get("authorization").toString().contains("deny-due-to-bad-CUSTOM-action"),
                        "the canary's istiod does not know the provider: " + probed.get("authorization"));

                var stack = Stacks.load(dir, """
                          - {type: istio.install, name: mesh, spec: RUNNING}
                          - {type: istio.install, name: canary, spec: CANARY}
                          - {type: istio.authorizationPolicy, name: ingress, spec: POLICY}
                        """.replace("RUNNING", flow(running)).replace("CANARY", flow(canary)).replace("POLICY", flow(policy)));
                PlanCheck check = h.types.checks().stream().filter(c -> c.name().equals("ingress-auth-coverage")).findFirst().orElseThrow();
                List<Diagnostic> ds = check.check(Stacks.plan(stack));
                Diagnostic note = ds.stream().filter(d -> d.summary().startsWith("ingress coverage of istio-system/istio-ingressgateway"))
                        .findFirst().orElseThrow(() -> new AssertionError(ds.toString()));
                assertTrue(note.detail().contains("istio.install.canary"), note.detail());
                assertTrue(IngressCoveragePerPodTest.row(note, "/app/x").contains("denied (403)"), note.detail());
                PlanCheck provider = h.types.checks().stream().filter(c -> c.name().equals("custom-provider-declared")).findFirst().orElseThrow();
                List<Diagnostic> warned = provider.check(Stacks.plan(stack));
                assertTrue(warned.stream().anyMatch(d -> d.summary().contains("CUSTOM provider `" + PROVIDER + "` is not declared in")
                        && d.summary().contains("istio.install.canary")), warned.toString());

                // The canary installed by hand (or by another stack): this stack declares the running install alone, and
                // the checks read the canary's own live ConfigMap, which istiod of the canary reads.
                String telemetry = "namespace: istio-system\nname: cov-canary-tracing\nselector: {matchLabels: {istio: ingressgateway}}\n"
                        + "tracing: [{providers: [{name: " + TRACER + "}]}]\n";
                var other = Stacks.load(java.nio.file.Files.createDirectories(dir.resolve("other")), """
                          - {type: istio.install, name: mesh, spec: RUNNING}
                          - {type: istio.authorizationPolicy, name: ingress, spec: POLICY}
                          - {type: istio.telemetry, name: tracing, spec: TELEMETRY}
                        """.replace("RUNNING", flow(running)).replace("POLICY", flow(policy)).replace("TELEMETRY", flow(telemetry)));
                Diagnostic live = check.check(Stacks.plan(other)).stream()
                        .filter(d -> d.summary().startsWith("ingress coverage of istio-system/istio-ingressgateway")).findFirst().orElseThrow();
                assertTrue(live.detail().contains("istio-system/istio-cov-canary"), live.detail());
                assertTrue(IngressCoveragePerPodTest.row(live, "/app/x").contains("denied (403)"), live.detail());
                List<Diagnostic> undeclared = provider.check(Stacks.plan(other));
                assertTrue(undeclared.stream().anyMatch(d -> d.summary().contains("CUSTOM provider `" + PROVIDER
                        + "` is not declared in " + LIVE_CANARY)), undeclared.toString());
                PlanCheck tracing = h.types.checks().stream().filter(c -> c.name().equals("tracing-provider-declared")).findFirst().orElseThrow();
                List<Diagnostic> spans = tracing.check(Stacks.plan(other));
                assertTrue(spans.stream().anyMatch(d -> d.summary().equals("istio.telemetry.tracing: tracing provider `" + TRACER
                        + "` is not declared in " + LIVE_CANARY)), spans.toString());

                // The canary (still not this stack's) now declares the auth proxy failing open: its istiod lets requests
                // through when the proxy is down, and auth-proxy-risks says so from the canary's live ConfigMap.
                String openCanary = canary + "extAuthz: [{name: " + PROVIDER + ", service: auth." + authNs
                        + ".svc.cluster.local, port: 8080, timeout: 2s, failOpen: true}]\n";
                h.apply("istio.install.canary", yaml(openCanary), h.plan("istio.install.canary", yaml(openCanary)).privateData());
                String extAuthz = awaitExtAuthz(cluster, awaitGatewayOf(k, "cov-canary"));
                assertTrue(extAuthz.contains("\"failure_mode_allow\":true"), extAuthz);
                PlanCheck risks = h.types.checks().stream().filter(c -> c.name().equals("auth-proxy-risks")).findFirst().orElseThrow();
                List<Diagnostic> open = risks.check(Stacks.plan(other));
                assertTrue(open.stream().anyMatch(d -> d.summary().contains("failOpen") && d.summary().endsWith("(" + LIVE_CANARY + ")")),
                        open.toString());
            } finally {
                h.delete("istio.authorizationPolicy.ingress");
                gatewayObject.delete();
                h.delete("istio.install.canary");
                // The default control plane the other tests share, back as it was (its gateway went with the canary).
                String mesh = "version: \"1.30.3\"\nprofile: default\n";
                h.apply("istio.install.mesh", yaml(mesh), h.plan("istio.install.mesh", yaml(mesh)).privateData());
            }
        }
    }

    /** The YAML as one flow mapping, for a stack line. */
    private static String flow(String yaml) {
        return new ObjectMapper().writeValueAsString(io.meshform.providers.TestSpecs.yaml(yaml));
    }

    /** The ext_authz filter istiod gives the gateway pod, once it has one (the mesh config is watched, not read once). */
    private static String awaitExtAuthz(ClusterContext cluster, String pod) throws InterruptedException {
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        String last = "";
        while (System.nanoTime() < until) {
            JsonNode probed = new ObjectMapper().readTree(cluster.proxyConfig().probe(List.of("istio-system/" + pod), List.of()))
                    .get("proxies").get(0);
            last = probed.get("authorization").toString();
            for (JsonNode chain : probed.get("authorization")) {
                for (JsonNode f : chain.path("filters")) {
                    if (f.path("name").asString("").contains("ext_authz") && f.toString().contains("failure_mode_allow")) {
                        return f.toString();
                    }
                }
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("no ext_authz filter with failure_mode_allow on " + pod + " within 60s: " + last);
    }

    /** The running ingress gateway pod of {@code revision}. */
    private static String awaitGatewayOf(KubernetesClient k, String revision) throws InterruptedException {
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < until) {
            var pods = k.pods().inNamespace("istio-system").withLabel("istio", "ingressgateway").withLabel("istio.io/rev", revision)
                    .list().getItems().stream().filter(p -> "Running".equals(p.getStatus().getPhase())
                            && p.getMetadata().getDeletionTimestamp() == null).toList();
            if (!pods.isEmpty()) {
                return pods.get(0).getMetadata().getName();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no running ingress gateway pod of revision " + revision + " within 60s");
    }
}

package io.meshform.providers.istio.checks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.Stack;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.PlanCheck;
import io.meshform.providers.Harness;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.kubernetes.Json;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import io.meshform.testkit.Testbed;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Istio's analyzer tests, as {@code plan} runs the analyzers: each test's inputs become a stack of
 * {@code kubernetes.manifest}s, and meshform's istio-analyze check (the real {@code istioctl analyze}, the live cluster
 * with the stack overlaid) must report exactly the messages {@code analyzers_test.go} expects from that test's analyzer,
 * each at a line of the stack. Nothing is applied: the overlay is the point.
 *
 * <p>{@code istioctl analyze} takes Namespaces, Pods, Services, Nodes and Secrets only from the live cluster, never
 * from files ({@code DefaultExcludedSchemas}, pkg/config/analysis/local/istiod_analyze.go), and so does a plan: the
 * running pods are not the stack's. So a test's objects of those kinds are created in the cluster first (and removed
 * after), as the pods a stack's policies select would be running, and the rest is the stack. The injection tests are
 * not run here: every message they expect is about a Namespace or Pod, which a plan shows only in its summary
 * (meshform's own injection checks judge them, IstioFixturesTest); nor is the test that brings its own mesh config
 * (it would need an istio.install in the stack).
 */
@LiveClusterTest
class IstioFixturesIT {
    private static final Set<String> RUNTIME = Set.of("Namespace", "Pod", "Service", "Node", "Secret");
    /** The codes each analyzer of these tests can report (pkg/config/analysis/analyzers/*, msg/messages.yaml). */
    private static final Map<String, Set<String>> CODES = Map.of(
            "authn.BlockedCIDRsAnalyzer", Set.of("IST0175"),
            "virtualservice.JWTClaimRouteAnalyzer", Set.of("IST0149"),
            "telemetry.ProviderAnalyzer", Set.of("IST0157"),
            "telemetry.DefaultSelectorAnalyzer", Set.of("IST0160"),
            "telemetry.SelectorAnalyzer", Set.of("IST0101", "IST0159"),
            "telemetry.LightstepAnalyzer", Set.of("IST0002"),
            "k8sgateway.SelectorAnalyzer", Set.of("IST0166"),
            "authz.AuthorizationPoliciesAnalyzer", Set.of("IST0101", "IST0127"),
            "injection.Analyzer", Set.of("IST0102", "IST0103", "IST0123", "IST0148"));

    @TempDir
    Path dir;

    @Test
    void theAnalyzerTestsMessagesComeOutOfPlanAtTheStacksLines(ClusterContext cluster) {
        Fixtures.Tally t = new Fixtures.Tally("analyzer tests through plan (istioctl analyze)");
        int tests = 0;
        List<String> notRun = new ArrayList<>();
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of("istioctl", Testbed.istioctl().toString()))) {
            PlanCheck analyze = h.types.checks().stream().filter(c -> c.name().equals(Mesh.ANALYZE_CHECK)).findFirst().orElseThrow();
            for (JsonNode test : Fixtures.one("analyzers/expected.yaml").path("tests")) {
                String name = Json.text(test, "name");
                List<JsonNode> docs = new ArrayList<>();
                test.path("inputs").forEach(i -> docs.addAll(Fixtures.docs("analyzers/" + i.asString())));
                Set<String> runtime = new TreeSet<>();
                docs.stream().map(d -> Json.text(d, "kind")).filter(RUNTIME::contains).forEach(runtime::add);
                if (Json.text(test, "analyzer").startsWith("injection.") || test.has("meshConfig")) {
                    notRun.add(name + (test.has("meshConfig") ? " (own mesh config)" : " (messages about Namespaces and Pods)"));
                    continue;
                }
                Set<String> codes = CODES.get(Json.text(test, "analyzer"));
                assertTrue(codes != null, "no codes listed for " + Json.text(test, "analyzer"));
                List<JsonNode> stackDocs = docs.stream().filter(d -> !RUNTIME.contains(Json.text(d, "kind"))).toList();
                List<JsonNode> runtimeDocs = new ArrayList<>(docs.stream().filter(d -> RUNTIME.contains(Json.text(d, "kind"))).toList());
                runtimeDocs.addAll(gatewayPods(stackDocs, runtimeDocs));
                List<Diagnostic> found;
                try (Running running = new Running(cluster, runtimeDocs)) {
                    found = analyze.check(Stacks.plan(stack(stackDocs)));
                }
                Set<String> got = new TreeSet<>();
                for (Diagnostic d : found) {
                    String s = d.summary();
                    // "istioctl analyze: IST0101 (Error) Kind ns/name: text", at a line of the stack
                    if (d.range() != null && s.startsWith("istioctl analyze: ")) {
                        String[] parts = s.substring("istioctl analyze: ".length()).split(" ", 4);
                        if (codes.contains(parts[0])) {
                            got.add(parts[0] + " " + parts[2] + " " + parts[3].substring(0, parts[3].indexOf(':')));
                        }
                    }
                }
                Set<String> want = new TreeSet<>();
                test.path("expected").forEach(m -> {
                    String origin = m.get(1).asString();
                    // analyzers_test.go names an object its input left without a namespace "Kind name"; meshform
                    // declares it in "default", as istioctl validate and apply would put it.
                    String[] o = origin.split(" ", 2);
                    want.add(m.get(0).asString() + " " + o[0] + " " + (o[1].contains("/") ? o[1] : "default/" + o[1]));
                });
                tests++;
                Set<String> all = new TreeSet<>(want);
                all.addAll(got);
                all.forEach(m -> t.judge(name + ": " + m, want.contains(m), got.contains(m)));
            }
        }
        System.out.println(t.line() + " in " + tests + " tests");
        System.out.println("[fixtures] analyzer tests not run through plan: " + notRun);
        assertTrue(t.cases > 0 && t.missed.isEmpty() && t.falseAlarms.isEmpty(), t.line());
    }

    /**
     * A test's Namespaces, Pods and Services, created in the cluster for one run (with the namespaces they need) and
     * removed after: only what this run created is removed.
     */
    private static final class Running implements AutoCloseable {
        private final KubernetesClient client;
        private final List<GenericKubernetesResource> created = new ArrayList<>();

        Running(ClusterContext cluster, List<JsonNode> docs) {
            this.client = cluster.client();
            List<JsonNode> ordered = new ArrayList<>(docs.stream().filter(d -> "Namespace".equals(Json.text(d, "kind"))).toList());
            docs.stream().filter(d -> !"Namespace".equals(Json.text(d, "kind"))).forEach(ordered::add);
            try {
                for (JsonNode d : ordered) {
                    String ns = Json.text(d.path("metadata"), "namespace");
                    if (ns != null && client.namespaces().withName(ns).get() == null) {
                        create(Json.MAPPER.readTree("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + ns + "\"}}"));
                    }
                    create(d);
                }
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        /**
         * Istio's test objects carry only what its analyzers read; the API server also wants a Pod's containers and a
         * Service's ports, which no analyzer of these tests looks at: a pause container (or image) and port 80 stand in.
         */
        private void create(JsonNode doc) {
            ObjectNode copy = (ObjectNode) doc.deepCopy();
            copy.remove("status");
            String kind = Json.text(copy, "kind");
            if ("Pod".equals(kind) && copy.path("spec").path("containers").isEmpty()) {
                ObjectNode spec = copy.has("spec") ? (ObjectNode) copy.get("spec") : copy.putObject("spec");
                spec.putArray("containers").addObject().put("name", "app").put("image", "registry.k8s.io/pause:3.10");
            }
            if ("Pod".equals(kind)) {
                copy.path("spec").path("containers").forEach(c -> {
                    if (!c.has("image")) {
                        ((ObjectNode) c).put("image", "registry.k8s.io/pause:3.10");
                    }
                });
            }
            if ("Service".equals(kind) && copy.path("spec").path("ports").isEmpty()) {
                ObjectNode spec = copy.has("spec") ? (ObjectNode) copy.get("spec") : copy.putObject("spec");
                spec.putArray("ports").addObject().put("name", "http").put("port", 80);
            }
            GenericKubernetesResource r = client.getKubernetesSerialization().unmarshal(copy.toString(), GenericKubernetesResource.class);
            if (client.resource(r).get() == null) {
                created.add(client.resource(r).create());
            }
        }

        @Override
        public void close() {
            for (int i = created.size() - 1; i >= 0; i--) {
                GenericKubernetesResource r = created.get(i);
                client.resource(r).withGracePeriod(0).delete();
            }
        }
    }

    /**
     * A running pod for each Gateway whose selector no pod of the test's inputs matches, in the Gateway's namespace:
     * Istio's analyzers judge a Gateway by the pods it selects (e.g. JWTClaimRouteAnalyzer, IST0149), which
     * istioctl analyze takes from the live cluster only. Without it the outcome would depend on whether an earlier
     * test left an installed ingress gateway behind.
     */
    private static List<JsonNode> gatewayPods(List<JsonNode> stackDocs, List<JsonNode> runtimeDocs) {
        List<JsonNode> pods = new ArrayList<>();
        for (JsonNode gw : stackDocs) {
            JsonNode selector = gw.path("spec").path("selector");
            String apiVersion = Json.text(gw, "apiVersion");
            if (!"Gateway".equals(Json.text(gw, "kind")) || apiVersion == null || !apiVersion.startsWith("networking.istio.io/")
                    || !selector.isObject() || selector.isEmpty()) {
                continue;
            }
            boolean matched = runtimeDocs.stream().filter(d -> "Pod".equals(Json.text(d, "kind"))).anyMatch(pod -> {
                JsonNode labels = pod.path("metadata").path("labels");
                return selector.properties().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
            });
            if (matched) {
                continue;
            }
            ObjectNode pod = Json.MAPPER.createObjectNode();
            pod.put("apiVersion", "v1").put("kind", "Pod");
            ObjectNode md = pod.putObject("metadata");
            md.put("name", Json.text(gw.path("metadata"), "name") + "-pod");
            String ns = Json.text(gw.path("metadata"), "namespace");
            md.put("namespace", ns == null ? "default" : ns);
            md.set("labels", selector.deepCopy());
            pods.add(pod);
        }
        return pods;
    }

    /** The documents as a stack of inline manifests, each with a namespace (default when its input had none). */
    private Stack stack(List<JsonNode> docs) {
        StringBuilder resources = new StringBuilder();
        for (int i = 0; i < docs.size(); i++) {
            ObjectNode d = (ObjectNode) docs.get(i).deepCopy();
            ObjectNode meta = (ObjectNode) d.path("metadata");
            if (!meta.has("namespace") && !"CustomResourceDefinition".equals(Json.text(d, "kind"))) {
                meta.put("namespace", "default");
            }
            resources.append("  - type: kubernetes.manifest\n    name: doc_").append(i).append("\n    spec:\n      manifest: ")
                    .append(d).append('\n');
        }
        return Stacks.load(dir, resources.toString());
    }
}

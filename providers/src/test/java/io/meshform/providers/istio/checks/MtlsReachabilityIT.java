package io.meshform.providers.istio.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.Severity;
import io.meshform.engine.spi.PlanCheck;
import io.meshform.providers.Harness;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import io.meshform.testkit.Testbed;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mTLS reachability preview against the real API server: the Cortex guide's workloads (MongoDB, Redis, MinIO, the
 * MinIO bucket job, Spark driver and executor) and an application run in two namespaces, a plaintext client in a
 * third, none in the mesh yet; the stack is the guide's (injection on, STRICT mesh-wide, PERMISSIVE for mongo, the
 * bucket job and Spark). The plan's preview must name each broken pair, be silent about what the exceptions
 * protect, and read the cluster with one LIST per kind. Nothing is applied.
 */
@LiveClusterTest
class MtlsReachabilityIT {
    @TempDir
    Path dir;

    private static void pod(KubernetesClient k, String ns, String name, Map<String, String> labels, int... ports) {
        ContainerBuilder app = new ContainerBuilder().withName("app").withImage("registry.example/app:1");
        for (int p : ports) {
            app.addToPorts(new ContainerPortBuilder().withContainerPort(p).build());
        }
        k.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().addToContainers(app.build()).endSpec().build()).create();
    }

    private static void service(KubernetesClient k, String ns, String name, Map<String, String> selector, boolean headless, int port) {
        ServiceBuilder b = new ServiceBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().withSelector(selector)
                .addNewPort().withName("tcp-" + port).withPort(port).endPort().endSpec();
        if (headless) {
            b.editSpec().withClusterIP("None").endSpec();
        }
        k.services().inNamespace(ns).resource(b.build()).create();
    }

    @Test
    void theGuidesPlanNamesEachBrokenPairReadingOneListPerKind(ClusterContext cluster) {
        KubernetesClient k = cluster.client();
        String core = cluster.newNamespace();
        String compute = cluster.newNamespace();
        String tools = cluster.newNamespace();
        pod(k, core, "mongodb-0", Map.of("app.kubernetes.io/name", "mongodb"), 27017);
        pod(k, core, "redis-master-0", Map.of("app.kubernetes.io/name", "redis"), 6379);
        pod(k, core, "minio-0", Map.of("app", "minio"), 9000);
        pod(k, core, "minio-make-bucket", Map.of("app", "minio-job"));
        pod(k, core, "api-0", Map.of("app", "api"), 8080);
        pod(k, compute, "job-driver", Map.of("spark-role", "driver"), 7078);
        pod(k, compute, "job-exec-1", Map.of("spark-role", "executor"), 7079);
        pod(k, tools, "curl", Map.of("app", "curl"));
        service(k, core, "mongodb", Map.of("app.kubernetes.io/name", "mongodb"), false, 27017);
        service(k, core, "redis-master", Map.of("app.kubernetes.io/name", "redis"), false, 6379);
        service(k, core, "minio", Map.of("app", "minio"), false, 9000);
        service(k, core, "api", Map.of("app", "api"), false, 8080);
        service(k, compute, "job-driver-svc", Map.of("spark-role", "driver"), true, 7078);

        var stack = Stacks.load(dir, """
                  - type: istio.install
                    name: mesh
                    spec: {version: "1.30.3", profile: default}
                  - {type: kubernetes.labels, name: core, spec: {kind: Namespace, name: CORE, labels: {istio-injection: enabled}}}
                  - {type: kubernetes.labels, name: compute, spec: {kind: Namespace, name: COMPUTE, labels: {istio-injection: enabled}}}
                  - {type: istio.peerAuthentication, name: mesh-strict, spec: {namespace: istio-system, name: default, mtls: {mode: STRICT}}}
                  - type: istio.peerAuthentication
                    name: mongo
                    spec: {namespace: CORE, name: mongo, selector: {matchLabels: {app.kubernetes.io/name: mongodb}}, mtls: {mode: PERMISSIVE}}
                  - type: istio.peerAuthentication
                    name: minio-make-bucket
                    spec: {namespace: CORE, name: minio-make-bucket, selector: {matchLabels: {app: minio-job}}, mtls: {mode: PERMISSIVE}}
                  - type: istio.peerAuthentication
                    name: spark-driver
                    spec: {namespace: COMPUTE, name: spark-driver, selector: {matchLabels: {spark-role: driver}}, mtls: {mode: PERMISSIVE}}
                  - type: istio.peerAuthentication
                    name: spark-executor
                    spec: {namespace: COMPUTE, name: spark-executor, selector: {matchLabels: {spark-role: executor}}, mtls: {mode: PERMISSIVE}}
                """.replace("CORE", core).replace("COMPUTE", compute));
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of("istioctl", Testbed.istioctl().toString()))) {
            PlanCheck check = h.types.checks().stream().filter(c -> c.name().equals("mtls-reachability")).findFirst().orElseThrow();
            long before = h.requests();
            List<Diagnostic> ds = check.check(Stacks.plan(stack));
            long requests = h.requests() - before;
            List<String> ours = ds.stream().filter(d -> d.severity() == Severity.WARNING).map(Diagnostic::summary)
                    .filter(s -> s.contains(core) || s.contains(compute) || s.contains(tools)).sorted().toList();
            String all = ds.stream().map(Diagnostic::summary).collect(Collectors.joining("\n"));
            assertEquals(List.of(
                    "mTLS: " + tools + "/curl -> " + core + "/api-0:8080 (via api:8080) breaks: plaintext to a port that requires mTLS",
                    "mTLS: " + tools + "/curl -> " + core + "/minio-0:9000 (via minio:9000) breaks: plaintext to a port that requires mTLS",
                    "mTLS: " + tools + "/curl -> " + core + "/mongodb-0:27017 (via mongodb:27017) breaks: plaintext to a server-first"
                            + " port under PERMISSIVE (stalls)",
                    "mTLS: " + tools + "/curl -> " + core + "/redis-master-0:6379 (via redis-master:6379) breaks: plaintext to a port"
                            + " that requires mTLS"), ours, all);
            assertTrue(ds.stream().noneMatch(d -> d.severity() == Severity.WARNING && d.summary().contains(compute + "/job-")), all);
            // pods, services, peerauthentications, destinationrules, namespaces, the mesh ConfigMap, the istiod lookup,
            // the injector webhooks (which revision, if any, injects a labelled namespace: Injectors) and (read ahead for
            // the other checks) authorizationpolicies and envoyfilters (ingress coverage: an EnvoyFilter on a gateway
            // makes its verdict unknown) and Gateway API Gateways (the labels istiod gives their pods): one request each,
            // however many namespaces the cluster has; plus one GET of the injector ConfigMap (its policy and selectors)
            // per revision the webhooks name
            long revisions = k.admissionRegistration().v1().mutatingWebhookConfigurations().withLabel("istio.io/rev").list()
                    .getItems().stream().map(w -> w.getMetadata().getLabels().get("istio.io/rev")).distinct().count();
            assertTrue(requests <= 11 + revisions, "requests sent: " + requests + " (" + revisions + " injector revision(s))");
        }
    }
}

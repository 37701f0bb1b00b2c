package io.meshform.providers.istio.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.Severity;
import io.meshform.engine.load.StackLoader;
import io.meshform.engine.load.VariableInputs;
import io.meshform.engine.model.Stack;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.ProviderSettings;
import io.meshform.engine.spi.TypeRegistry;
import io.meshform.providers.MeshformProviderFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The preview on the Cortex production example over a cluster with the guide's workloads (MongoDB, Redis, MinIO, the
 * MinIO bucket job, Spark driver and executors, an application) and a plaintext client, none in the mesh yet.
 */
class MtlsReachabilityTest {
    @TempDir
    Path dir;

    static FakeCluster cortexCluster() {
        FakeCluster c = new FakeCluster().namespace("cortex").namespace("cortex-compute").namespace("tools")
                .namespace("istio-system");
        c.pods.add(FakeCluster.pod("cortex", "mongodb-0", Map.of("app.kubernetes.io/name", "mongodb"), false, 27017));
        c.pods.add(FakeCluster.pod("cortex", "redis-master-0", Map.of("app.kubernetes.io/name", "redis"), false, 6379));
        c.pods.add(FakeCluster.pod("cortex", "minio-7d9", Map.of("app", "minio"), false, 9000));
        c.pods.add(FakeCluster.pod("cortex", "minio-make-bucket-x1", Map.of("app", "minio-job"), false));
        c.pods.add(FakeCluster.pod("cortex", "operator-5f", Map.of("app", "operator"), false, 8080));
        c.pods.add(FakeCluster.pod("cortex-compute", "job-driver", Map.of("spark-role", "driver"), false, 7078));
        c.pods.add(FakeCluster.pod("cortex-compute", "job-exec-1", Map.of("spark-role", "executor"), false, 7079));
        c.pods.add(FakeCluster.pod("tools", "curl", Map.of("app", "curl"), false));
        c.service("cortex", "mongodb", Map.of("app.kubernetes.io/name", "mongodb"), 27017)
                .service("cortex", "redis-master", Map.of("app.kubernetes.io/name", "redis"), 6379)
                .service("cortex", "minio", Map.of("app", "minio"), 9000)
                .service("cortex", "operator", Map.of("app", "operator"), 8080)
                .service("cortex-compute", "job-driver-svc", Map.of("spark-role", "driver"), 7078);
        c.services.get("cortex-compute/job-driver-svc").getSpec().setClusterIP("None");
        return c;
    }

    private Stack example(String name) {
        TypeRegistry types = new TypeRegistry(new MeshformProviderFactory().create(new ProviderSettings(Map.of())));
        return new StackLoader(types).load(Path.of("..", "examples", name).toAbsolutePath().normalize(),
                new VariableInputs(Map.of(), List.of(), Map.of())).stack();
    }

    @Test
    void theCortexPlanNamesEachBrokenPairAndIsSilentAboutWhatTheGuidesExceptionsProtect() {
        List<Diagnostic> ds = MtlsReachability.findings(cortexCluster().mesh(Stacks.plan(example("cortex-production.yaml"))));
        String warnings = ds.stream().filter(d -> d.severity() == Severity.WARNING).map(Diagnostic::summary)
                .sorted().collect(Collectors.joining("\n"));
        assertEquals(String.join("\n",
                "mTLS: tools/curl -> cortex/minio-7d9:9000 (via minio:9000) breaks: plaintext to a port that requires mTLS",
                "mTLS: tools/curl -> cortex/mongodb-0:27017 (via mongodb:27017) breaks: plaintext to a server-first port under"
                        + " PERMISSIVE (stalls)",
                "mTLS: tools/curl -> cortex/operator-5f:8080 (via operator:8080) breaks: plaintext to a port that requires mTLS",
                "mTLS: tools/curl -> cortex/redis-master-0:6379 (via redis-master:6379) breaks: plaintext to a port that"
                        + " requires mTLS"), warnings);
        assertTrue(ds.get(0).summary().startsWith("mTLS reachability: this plan breaks 4 connection(s), leaves 0 newly plaintext"),
                ds.get(0).summary());
        assertTrue(ds.get(0).detail().contains("`plan --json` carries each pair in the diagnostics"), ds.get(0).detail());
        Diagnostic redis = ds.stream().filter(d -> d.summary().contains("redis")).findFirst().orElseThrow();
        assertTrue(redis.detail().contains("fix: give the client a sidecar, or add an istio.peerAuthentication in namespace cortex"
                + " with selector {matchLabels: {app.kubernetes.io/name: redis}} and portLevelMtls {6379: {mode: PERMISSIVE}}"),
                redis.detail());
        assertTrue(redis.range() != null && redis.range().file().endsWith("cortex-base.yaml"),
                "points at the mesh-wide STRICT policy that decides: " + redis.range());
    }

    @Test
    void anOutsideCallerIsCountedForItsTargetsOnly() throws Exception {
        Stack stack = Stacks.load(dir, """
                  - type: istio.peerAuthentication
                    name: strict
                    spec: {namespace: istio-system, name: default, mtls: {mode: STRICT}}
                  - type: istio.caller
                    name: scraper
                    spec:
                      calls: [{namespace: cortex, selector: {app: operator}, ports: [8080]}]
                """);
        FakeCluster c = cortexCluster();
        c.pods.replaceAll(p -> FakeCluster.pod(p.getMetadata().getNamespace(), p.getMetadata().getName(),
                p.getMetadata().getLabels(), !p.getMetadata().getNamespace().equals("tools"),
                p.getSpec().getContainers().get(0).getPorts().stream().mapToInt(x -> x.getContainerPort()).toArray()));
        List<Diagnostic> ds = MtlsReachability.findings(c.mesh(Stacks.plan(stack)));
        List<String> scraper = ds.stream().map(Diagnostic::summary).filter(s -> s.contains("caller scraper")).toList();
        // grouped with the other plaintext client of that port; nothing else for the caller
        assertEquals(List.of("mTLS: caller scraper, tools/curl -> cortex/operator-5f:8080 (via operator:8080) breaks: plaintext to"
                + " a port that requires mTLS"), scraper);
    }

    /**
     * A gateway's istio-proxy is no sidecar: istiod builds its listeners from Gateway servers and applies a
     * PeerAuthentication's mode only to sidecar inbound listeners (BuildListeners, pilot/pkg/networking/core/listener.go),
     * so mesh-wide STRICT does not stop a plaintext client from reaching it, while it still breaks the same client's
     * calls to a sidecar.
     */
    @Test
    void aGatewayPodIsNotJudgedByPeerAuthentication() throws Exception {
        Stack stack = Stacks.load(dir, """
                  - type: istio.peerAuthentication
                    name: strict
                    spec: {namespace: istio-system, name: default, mtls: {mode: STRICT}}
                """);
        FakeCluster c = cortexCluster().gateway("istio-system", "ingress-7c", Map.of("istio", "ingressgateway"), null, 8080)
                .service("istio-system", "ingress", Map.of("istio", "ingressgateway"), 8080);
        c.pods.add(FakeCluster.pod("cortex", "api-0", Map.of("app", "api"), true, 8080));
        c.service("cortex", "api", Map.of("app", "api"), 8080);
        String all = MtlsReachability.findings(c.mesh(Stacks.plan(stack))).stream().map(Diagnostic::summary)
                .collect(Collectors.joining("\n"));
        assertTrue(all.contains("-> cortex/api-0:8080 (via api:8080) breaks: plaintext to a port that requires mTLS"), all);
        assertTrue(!all.contains("ingress"), all);
    }

    /**
     * A DestinationRule's ISTIO_MUTUAL towards a gateway's pods sends Istio mTLS to a proxy that has no sidecar: its
     * Gateway's servers build its listeners (buildGatewayListeners, pilot/pkg/networking/core/gateway.go). The preview
     * says so, not that the port "bypasses the server's sidecar", and offers no PeerAuthentication exception.
     */
    @Test
    void istioMutualToAGatewayIsNotCalledASidecarBypass() throws Exception {
        Stack stack = Stacks.load(dir, """
                  - type: kubernetes.manifest
                    name: ingress-mtls
                    spec:
                      manifest:
                        apiVersion: networking.istio.io/v1
                        kind: DestinationRule
                        metadata: {name: ingress-mtls, namespace: tools}
                        spec: {host: ingress.istio-system.svc.cluster.local, trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}
                """);
        FakeCluster c = new FakeCluster().namespace("tools").namespace("istio-system")
                .gateway("istio-system", "ingress-7c", Map.of("istio", "ingressgateway"), null, 8080)
                .service("istio-system", "ingress", Map.of("istio", "ingressgateway"), 8080);
        c.pods.add(FakeCluster.pod("tools", "curl", Map.of("app", "curl"), true));
        List<Diagnostic> ds = MtlsReachability.findings(c.mesh(Stacks.plan(stack)));
        List<Diagnostic> ingress = ds.stream().filter(d -> d.summary().contains("ingress-7c")).toList();
        assertEquals(List.of("mTLS: tools/curl -> istio-system/ingress-7c:8080 (via ingress:8080) breaks: Istio mTLS to a"
                + " gateway or waypoint proxy, which has no sidecar"), ingress.stream().map(Diagnostic::summary).toList());
        String detail = ingress.get(0).detail();
        assertTrue(detail.startsWith("why: sends Istio mTLS (") && detail.contains(") to a gateway or waypoint proxy, which has"
                + " no sidecar: its Gateway's servers decide what the port accepts"), detail);
        assertTrue(detail.contains("fix: the pod is a gateway or waypoint proxy, not a sidecar, and auto-mTLS sends it"
                + " plaintext: set tls mode DISABLE for port 8080 in DestinationRule tools/ingress-mtls"), detail);
        assertTrue(detail.endsWith("or terminate Istio mTLS there with a Gateway server on port 8080 with tls mode ISTIO_MUTUAL"),
                detail);
        assertTrue(!detail.contains("bypasses") && !detail.contains("portLevelMtls"), detail);
    }

    /**
     * A sidecar client whose DestinationRule sets tls SIMPLE sends TLS of its own, not Istio's mTLS
     * (buildUpstreamTLSSettings, pilot/pkg/networking/core/cluster_tls.go, uses a tls mode as given): the summary says
     * so, not "plaintext", and agrees with its why: line.
     */
    @Test
    void aClientSendingTlsThatIsNotIstiosIsNotCalledPlaintext() throws Exception {
        Stack stack = Stacks.load(dir, """
                  - type: istio.peerAuthentication
                    name: strict
                    spec: {namespace: istio-system, name: default, mtls: {mode: STRICT}}
                """);
        FakeCluster c = cortexCluster();
        c.rules.add(io.meshform.providers.istio.policy.DestinationPolicy.of("tools", "redis-simple",
                java.time.Instant.parse("2026-01-01T00:00:00Z"), new tools.jackson.dataformat.yaml.YAMLMapper().readTree(
                        "host: redis-master.cortex.svc.cluster.local\ntrafficPolicy: {tls: {mode: SIMPLE}}"), null));
        c.pods.replaceAll(p -> FakeCluster.pod(p.getMetadata().getNamespace(), p.getMetadata().getName(),
                p.getMetadata().getLabels(), true,
                p.getSpec().getContainers().get(0).getPorts().stream().mapToInt(x -> x.getContainerPort()).toArray()));
        List<Diagnostic> ds = MtlsReachability.findings(c.mesh(Stacks.plan(stack)));
        List<Diagnostic> redis = ds.stream().filter(d -> d.summary().contains("redis-master-0")).toList();
        assertEquals(List.of("mTLS: tools/curl -> cortex/redis-master-0:6379 (via redis-master:6379) breaks: TLS that is not"
                + " Istio's to a port that requires Istio mTLS"), redis.stream().map(Diagnostic::summary).toList());
        assertTrue(redis.get(0).detail().startsWith("why: sends TLS that is not Istio's"), redis.get(0).detail());
        assertTrue(redis.get(0).detail().contains("set tls mode ISTIO_MUTUAL in DestinationRule tools/redis-simple"),
                redis.get(0).detail());
    }

    /**
     * A plan that targets the STRICT policy leaves the stack's istio.caller out: it is no object of the cluster, so the
     * preview does not count it, and must say so instead of reading as if every declared caller were compared.
     */
    @Test
    void aTargetedPlanSaysWhichDeclaredCallersItDidNotCount() throws Exception {
        Stack stack = Stacks.load(dir, """
                  - type: istio.peerAuthentication
                    name: strict
                    spec: {namespace: istio-system, name: default, mtls: {mode: STRICT}}
                  - type: istio.caller
                    name: scraper
                    spec:
                      calls: [{namespace: cortex, selector: {app: operator}, ports: [8080]}]
                """);
        var strict = io.meshform.engine.model.ResourceAddress.parse("istio.peerAuthentication.strict");
        CheckContext targeted = new CheckContext(stack, Map.of(strict, stack.find(strict).orElseThrow().spec()), Map.of(),
                CheckContext.Purpose.PLAN);
        FakeCluster c = cortexCluster();
        c.pods.replaceAll(p -> FakeCluster.pod(p.getMetadata().getNamespace(), p.getMetadata().getName(),
                p.getMetadata().getLabels(), !p.getMetadata().getNamespace().equals("tools"),
                p.getSpec().getContainers().get(0).getPorts().stream().mapToInt(x -> x.getContainerPort()).toArray()));
        List<Diagnostic> whole = MtlsReachability.findings(c.mesh(Stacks.plan(stack)));
        assertTrue(whole.stream().anyMatch(d -> d.summary().startsWith("mTLS: caller scraper, tools/curl -> cortex/operator-5f:8080")),
                "the whole plan names the caller's broken connection");
        assertTrue(whole.get(0).summary().endsWith("connections compared)"), "and says nothing of callers left out");
        List<Diagnostic> ds = MtlsReachability.findings(c.mesh(targeted));
        assertTrue(ds.stream().noneMatch(d -> d.summary().contains("caller scraper")), "the targeted plan does not count it");
        assertTrue(ds.get(0).summary().endsWith("; 1 istio.caller of the stack not counted (this plan leaves it out)"),
                ds.get(0).summary());
        assertTrue(ds.get(0).detail().contains("not counted: istio.caller.scraper; this plan leaves istio.caller.scraper out"
                + " (--target or --exclude): plan it too (--target istio.caller.scraper)"), ds.get(0).detail());
    }

    @Test
    void driftReportsAConnectionTheLiveClusterBreaks() {
        FakeCluster c = cortexCluster();
        c.pods.replaceAll(p -> FakeCluster.pod(p.getMetadata().getNamespace(), p.getMetadata().getName(),
                p.getMetadata().getLabels(), !p.getMetadata().getNamespace().equals("tools"),
                p.getSpec().getContainers().get(0).getPorts().stream().mapToInt(x -> x.getContainerPort()).toArray()));
        c.peer("istio-system", "default", "2026-01-01T00:00:00Z", "mtls: {mode: STRICT}");
        Stack stack = example("cortex-production.yaml");
        CheckContext plan = Stacks.plan(stack);
        CheckContext drift = new CheckContext(stack, plan.after(), Map.of(), CheckContext.Purpose.DRIFT);
        // the Spark exceptions were applied, then removed by hand: the driver loses its executors (pod IP)
        List<Diagnostic> ds = MtlsReachability.findings(c.mesh(drift));
        assertTrue(ds.stream().anyMatch(d -> d.severity() == Severity.WARNING && d.summary().startsWith("mTLS: cortex-compute/job-driver,")
                && d.summary().contains("-> cortex-compute/job-exec-1:7079 (pod IP) broken in the live cluster (it worked as applied)")),
                ds.stream().map(Diagnostic::summary).collect(Collectors.joining("\n")));
        assertTrue(ds.stream().anyMatch(d -> d.summary().startsWith("mTLS: tools/curl -> cortex/operator-5f:8080")),
                "the unmeshed client is reported");
        // drift has no --json (it takes --format): its note names the option it has
        assertTrue(ds.get(0).detail().contains("`drift --format json` carries each pair in the diagnostics"), ds.get(0).detail());
    }

    /**
     * Namespace cortex moves to revision r1, installed outside the stack: r1's live ConfigMap never injects MongoDB, so
     * the preview keeps mongodb-0 out of the mesh (plaintext from curl still reaches it); with the ConfigMap unreadable
     * the preview assumes Istio's defaults and its summary says so.
     */
    @Test
    void aRevisionOutsideTheStackIsJudgedByItsLiveConfigMapOrSaidToBeAssumed() throws Exception {
        Stack stack = Stacks.load(dir, """
                  - type: istio.peerAuthentication
                    name: strict
                    spec: {namespace: istio-system, name: default, mtls: {mode: STRICT}}
                  - {type: kubernetes.labels, name: cortex, spec: {kind: Namespace, name: cortex, labels: {istio.io/rev: r1}}}
                """);
        var webhooks = io.meshform.providers.istio.injection.Injectors.of(List.of(Map.of("istio.io/rev", "r1")));
        FakeCluster c = cortexCluster();
        c.injectors = webhooks.withLivePolicies(Map.of("r1", new io.meshform.providers.istio.injection.InjectorConfigMap(
                io.meshform.providers.istio.injection.InjectorConfigMap.parse("policy: enabled\nneverInjectSelector:\n"
                        + "- matchLabels: {app.kubernetes.io/name: mongodb}\n"), null)));
        List<Diagnostic> ds = MtlsReachability.findings(c.mesh(Stacks.plan(stack)));
        String all = ds.stream().map(Diagnostic::summary).collect(Collectors.joining("\n"));
        assertTrue(ds.stream().noneMatch(d -> d.summary().contains("-> cortex/mongodb-0")), all);
        assertTrue(ds.stream().anyMatch(d -> d.summary().contains("cortex/redis-master-0")), all);
        assertTrue(!ds.get(0).summary().contains("assumed"), ds.get(0).summary());

        c.injectors = webhooks.withLivePolicies(Map.of("r1", new io.meshform.providers.istio.injection.InjectorConfigMap(null,
                "the ConfigMap istio-system/istio-sidecar-injector-r1: forbidden (HTTP 403)")));
        ds = MtlsReachability.findings(c.mesh(Stacks.plan(stack)));
        all = ds.stream().map(Diagnostic::summary).collect(Collectors.joining("\n"));
        assertTrue(ds.stream().anyMatch(d -> d.summary().contains("-> cortex/mongodb-0")), "defaults: mongodb gets a sidecar\n" + all);
        assertTrue(ds.get(0).summary().endsWith("; the injector policy of revision r1 was assumed"), ds.get(0).summary());
        assertTrue(ds.get(0).detail().contains("\nthe injector policy of revision r1 could not be read (revision r1: the ConfigMap"
                + " istio-system/istio-sidecar-injector-r1: forbidden (HTTP 403))"), ds.get(0).detail());
    }
}

package io.meshform.providers.istio.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.Severity;
import io.meshform.engine.model.Stack;
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
 * Ingress coverage against the real API server, with kwok pods shaped as Istio 1.30.3 makes a gateway in the middle
 * of a rollout: two ReplicaSets of the Deployment {@code gateway} (named {@code gateway-<pod-template-hash>}, as the
 * Deployment controller names them; no Deployment object, so nothing finishes the rollout), their pods labelled
 * {@code sidecar.istio.io/inject: "false"} with an istio-proxy container started as {@code proxy router}
 * (manifests/charts/gateways/istio-ingress/templates/deployment.yaml), next to an application pod with a sidecar
 * ({@code proxy sidecar}, files/injection-template.yaml). A namespace-wide CUSTOM policy attaches to all of them; a
 * DENY policy selects the gateway by its app label. istiod attaches both to the gateway pods
 * (pilot/pkg/model/authorization.go ListAuthorizationPolicies), so the plan must count the DENY policy and judge the
 * gateway once, not once per ReplicaSet and not the application pod; validate, which reads no pods, says its table
 * is an approximation. A plan judges pods only once a control plane runs (an istiod Deployment in istio-system); on a
 * test bed without Istio the test adds a stand-in with no replicas and removes it after.
 */
@LiveClusterTest
class IngressCoveragePerPodIT {
    @TempDir
    Path dir;

    private static void gatewayReplicaSet(KubernetesClient k, String ns, String hash, int replicas) {
        gatewayReplicaSet(k, ns, hash, replicas, Map.of());
    }

    /** {@code extra}: labels the pods carry besides the gateway's own (a label several gateways share). */
    private static void gatewayReplicaSet(KubernetesClient k, String ns, String hash, int replicas, Map<String, String> extra) {
        Map<String, String> labels = new java.util.HashMap<>(Map.of("istio", "gw-" + ns, "app", "gateway-" + ns,
                "pod-template-hash", hash, "sidecar.istio.io/inject", "false"));
        labels.putAll(extra);
        k.apps().replicaSets().inNamespace(ns).resource(new ReplicaSetBuilder().withNewMetadata().withName("gateway-" + hash)
                .withLabels(labels).endMetadata().withNewSpec().withReplicas(replicas).withNewSelector().withMatchLabels(labels)
                .endSelector().withNewTemplate().withNewMetadata().withLabels(labels).endMetadata().withNewSpec()
                .addToContainers(proxy("router")).endSpec().endTemplate().endSpec().build()).create();
    }

    private static io.fabric8.kubernetes.api.model.Container proxy(String type) {
        return new ContainerBuilder().withName("istio-proxy").withImage("docker.io/istio/proxyv2:1.30.3")
                .withArgs("proxy", type, "--domain", "$(POD_NAMESPACE).svc.cluster.local").build();
    }

    /** The check in a plan, with the reads it sends: the gateway judged once, the DENY policy counted. */
    private static void plan(ClusterContext cluster, String ns, Stack stack) {
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of("istioctl", Testbed.istioctl().toString()))) {
            PlanCheck check = h.types.checks().stream().filter(c -> c.name().equals("ingress-auth-coverage")).findFirst().orElseThrow();
            long before = h.requests();
            List<Diagnostic> ds = check.check(Stacks.plan(stack));
            long requests = h.requests() - before;
            String all = ds.stream().map(d -> d.summary() + "\n" + d.detail()).collect(Collectors.joining("\n"));
            List<Diagnostic> notes = ds.stream().filter(d -> d.severity() == Severity.INFO && d.summary().contains(ns)).toList();
            assertEquals(1, notes.size(), "one note for the gateway's three pods in two ReplicaSets, none for web: " + all);
            assertTrue(notes.get(0).summary().startsWith("ingress coverage of " + ns + "/gateway:"), all);
            assertTrue(notes.get(0).detail().contains("3 running pod(s) of Deployment " + ns + "/gateway (gateway-"), all);
            assertTrue(IngressCoveragePerPodTest.row(notes.get(0), "/admin/x").contains("denied (403)"), all);
            assertTrue(ds.stream().noneMatch(d -> d.summary().contains("`GET example.com /admin/x`") && d.summary().contains("let through")), all);
            // the run's reads, one each (pods, services, PeerAuthentications, DestinationRules, namespaces, the mesh
            // ConfigMap, the istiod lookup, AuthorizationPolicies, EnvoyFilters, which may make a gateway's verdict
            // unknown, Gateway API Gateways, whose pods' labels istiod derives from them): judging per pod adds none
            assertTrue(requests <= 10, "requests sent: " + requests);
        }
    }

    private static void await(java.util.function.BooleanSupplier done) {
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("the kwok gateway pods did not all run within 60s");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /**
     * Runs {@code run} with a control plane in istio-system, as a plan needs to judge pods: the test bed's own when it
     * runs, else a stand-in istiod Deployment with no replicas, removed after (with istio-system if the test made it).
     */
    private static void withControlPlane(KubernetesClient k, Runnable run) {
        boolean standIn = k.apps().deployments().inNamespace("istio-system").withLabel("app", "istiod").list().getItems().isEmpty();
        boolean newNamespace = standIn && k.namespaces().withName("istio-system").get() == null;
        if (newNamespace) {
            k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("istio-system").endMetadata().build()).create();
        }
        if (standIn) {
            Map<String, String> istiod = Map.of("app", "istiod");
            k.apps().deployments().inNamespace("istio-system").resource(new DeploymentBuilder().withNewMetadata().withName("istiod")
                    .withLabels(istiod).endMetadata().withNewSpec().withReplicas(0).withNewSelector().withMatchLabels(istiod)
                    .endSelector().withNewTemplate().withNewMetadata().withLabels(istiod).endMetadata().withNewSpec()
                    .addToContainers(new ContainerBuilder().withName("discovery").withImage("docker.io/istio/pilot:1.30.3").build())
                    .endSpec().endTemplate().endSpec().build()).create();
        }
        try {
            run.run();
        } finally {
            if (standIn) {
                k.apps().deployments().inNamespace("istio-system").withName("istiod").delete();
            }
            if (newNamespace) {
                // Gone before the next test makes its stand-in: a namespace still terminating refuses new objects (403).
                k.namespaces().withName("istio-system").delete();
                k.namespaces().withName("istio-system").waitUntilCondition(java.util.Objects::isNull, 3, java.util.concurrent.TimeUnit.MINUTES);
            }
        }
    }

    @Test
    void aPlanJudgesTheRollingGatewayOnceWithTheDenyPolicyIstiodAttachesToIt(ClusterContext cluster) {
        KubernetesClient k = cluster.client();
        String ns = cluster.newNamespace();
        gatewayReplicaSet(k, ns, "7c9d", 2);
        gatewayReplicaSet(k, ns, "5f6b", 1);
        k.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("web").withLabels(Map.of("app", "web"))
                .endMetadata().withNewSpec().addToContainers(new ContainerBuilder().withName("web").withImage("web").build(),
                        proxy("sidecar")).endSpec().build()).create();
        await(() -> k.pods().inNamespace(ns).withLabel("app", "gateway-" + ns).list().getItems().stream()
                .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase())).count() == 3);
        var stack = Stacks.load(dir, """
                  - type: istio.authorizationPolicy
                    name: ingress
                    spec:
                      namespace: NS
                      name: ingress
                      action: CUSTOM
                      provider: {name: auth}
                      rules: [{to: [{operation: {paths: ["/api/*"]}}]}]
                      coverage: {protected: ["/admin/*"]}
                  - type: istio.authorizationPolicy
                    name: deny_admin
                    spec:
                      namespace: NS
                      name: deny-admin
                      selector: {matchLabels: {app: gateway-NS}}
                      action: DENY
                      rules: [{to: [{operation: {paths: ["/admin/*"]}}]}]
                """.replace("NS", ns));
        withControlPlane(k, () -> plan(cluster, ns, stack));
        var validate = new io.meshform.engine.spi.CheckContext(stack, Stacks.plan(stack).after(), Map.of(),
                io.meshform.engine.spi.CheckContext.Purpose.VALIDATE);
        List<Diagnostic> offline = IngressAuthCoverage.findings(new PlannedMesh(validate, ClusterView.EMPTY));
        assertTrue(offline.get(0).detail().contains("an approximation (validate reads no pods)"), offline.get(0).detail());
        assertTrue(offline.stream().anyMatch(d -> d.summary().contains("`GET example.com /admin/x` would be let through")),
                "the approximation, a pod labelled exactly as the CUSTOM selector (none), misses the DENY policy on the app label");
    }

    /**
     * Two gateway Deployments in two namespaces that one CUSTOM policy in the root namespace selects by a label they
     * share: a condition of the policy that a client controls, and the policy with no rule at all, are each one warning
     * naming both gateways, each once (the first gateway's two ReplicaSets are one gateway).
     */
    @Test
    void aCustomPolicyOnTwoGatewaysIsOneWarningNamingBoth(ClusterContext cluster) {
        KubernetesClient k = cluster.client();
        String a = cluster.newNamespace();
        String b = cluster.newNamespace();
        Map<String, String> shared = Map.of("shared-gateway", a);
        gatewayReplicaSet(k, a, "7c9d", 1, shared);
        gatewayReplicaSet(k, a, "5f6b", 1, shared);
        gatewayReplicaSet(k, b, "7c9d", 1, shared);
        await(() -> k.pods().inAnyNamespace().withLabel("shared-gateway", a).list().getItems().stream()
                .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase())).count() == 3);
        String policy = """
                  - type: istio.authorizationPolicy
                    name: ingress
                    spec:
                      namespace: istio-system
                      name: NAME
                      selector: {matchLabels: {shared-gateway: NS}}
                      action: CUSTOM
                      provider: {name: auth}
                """.replace("NS", a).replace("NAME", "shared-" + a);
        // Gateways are named in the order the API server lists their pods: by namespace, and the names are random.
        String both = a.compareTo(b) < 0 ? a + "/gateway, " + b + "/gateway" : b + "/gateway, " + a + "/gateway";
        var headerCondition = Stacks.load(dir, policy + """
                      rules: [{to: [{operation: {notPaths: ["/health"]}}], when: [{key: "request.headers[x-skip-auth]", notValues: ["yes"]}]}]
                """);
        withControlPlane(k, () -> {
            List<Diagnostic> ds = findings(cluster, headerCondition);
            String all = ds.stream().map(d -> d.summary() + "\n" + d.detail()).collect(Collectors.joining("\n"));
            List<Diagnostic> condition = ds.stream().filter(d -> d.summary().contains("which a client controls")).toList();
            assertEquals(1, condition.size(), all);
            assertTrue(condition.get(0).summary().contains(" on gateways " + both + " depends on when"
                    + " request.headers[x-skip-auth]"), all);
        });
        var noRule = Stacks.load(dir, policy);
        withControlPlane(k, () -> {
            List<Diagnostic> ds = findings(cluster, noRule);
            String all = ds.stream().map(d -> d.summary() + "\n" + d.detail()).collect(Collectors.joining("\n"));
            List<Diagnostic> nothing = ds.stream().filter(d -> d.summary().contains("nothing is known to reach the auth proxy")).toList();
            assertEquals(1, nothing.size(), all);
            assertTrue(nothing.get(0).summary().startsWith("ingress coverage of " + both + ": 0 paths"), all);
            assertTrue(nothing.get(0).detail().startsWith("gateways " + both + " (pathNormalization"), all);
        });
    }

    /**
     * A mistyped gateway label on the real API server: the CUSTOM policy selects no running pod, which
     * authorization-selects-nothing warns of, and the coverage note beside it must not read as the gateway's coverage.
     */
    @Test
    void aMistypedGatewayLabelIsNoCoverageOfTheGateway(ClusterContext cluster) {
        KubernetesClient k = cluster.client();
        String ns = cluster.newNamespace();
        gatewayReplicaSet(k, ns, "7c9d", 1);
        await(() -> k.pods().inNamespace(ns).withLabel("app", "gateway-" + ns).list().getItems().stream()
                .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase())).count() == 1);
        var stack = Stacks.load(dir, """
                  - type: istio.authorizationPolicy
                    name: ingress
                    spec:
                      namespace: NS
                      name: ingress
                      selector: {matchLabels: {istio: gw-NS-typo}}
                      action: CUSTOM
                      provider: {name: auth}
                      rules: [{to: [{operation: {notPaths: ["/health"]}}]}]
                """.replace("NS", ns));
        withControlPlane(k, () -> {
            List<Diagnostic> ds = findings(cluster, stack);
            String all = ds.stream().map(d -> d.summary() + "\n" + d.detail()).collect(Collectors.joining("\n"));
            Diagnostic note = ds.stream().filter(d -> d.severity() == Severity.INFO).findFirst().orElseThrow(() -> new AssertionError(all));
            assertTrue(note.summary().startsWith("ingress coverage of " + ns + "/istio=gw-" + ns + "-typo: the CUSTOM policy selects"
                    + " no running gateway pod, so it covers no gateway; a gateway labelled as its selector says: "), all);
            assertTrue(note.summary().contains(" would be let through "), all);
        });
    }

    private static List<Diagnostic> findings(ClusterContext cluster, Stack stack) {
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of("istioctl", Testbed.istioctl().toString()))) {
            return h.types.checks().stream().filter(c -> c.name().equals("ingress-auth-coverage")).findFirst().orElseThrow()
                    .check(Stacks.plan(stack));
        }
    }
}

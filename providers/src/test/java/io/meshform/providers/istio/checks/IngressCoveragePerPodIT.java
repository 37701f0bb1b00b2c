package io.meshform.providers.istio.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
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
 * Ingress coverage against the real API server, with kwok gateway pods: a CUSTOM policy in the root namespace selects
 * the gateway by one label; a DENY policy in the gateway's own namespace selects it by another. istiod attaches both
 * to the pod (pilot/pkg/model/authorization.go ListAuthorizationPolicies), so the plan must count the DENY policy,
 * judging the two replicas once; validate, which reads no pods, says its table is an approximation.
 */
@LiveClusterTest
class IngressCoveragePerPodIT {
    @TempDir
    Path dir;

    private static void gatewayPod(KubernetesClient k, String ns, String name, Map<String, String> labels) {
        k.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().addToContainers(new ContainerBuilder().withName("istio-proxy")
                        .withImage("docker.io/istio/proxyv2:1.30.3").withArgs("proxy", "router").build()).endSpec().build()).create();
    }

    @Test
    void aPlanCountsTheDenyPolicyIstiodAttachesToTheRunningGatewayPods(ClusterContext cluster) {
        KubernetesClient k = cluster.client();
        String ns = cluster.newNamespace();
        Map<String, String> labels = Map.of("istio", "gw-" + ns, "app", "gateway-" + ns, "pod-template-hash", "7c9d");
        gatewayPod(k, ns, "gateway-7c9d-a", labels);
        gatewayPod(k, ns, "gateway-7c9d-b", labels);
        var stack = Stacks.load(dir, """
                  - type: istio.authorizationPolicy
                    name: ingress
                    spec:
                      namespace: istio-system
                      name: ingress-NS
                      selector: {matchLabels: {istio: gw-NS}}
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
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of("istioctl", Testbed.istioctl().toString()))) {
            PlanCheck check = h.types.checks().stream().filter(c -> c.name().equals("ingress-auth-coverage")).findFirst().orElseThrow();
            long before = h.requests();
            List<Diagnostic> ds = check.check(Stacks.plan(stack));
            long requests = h.requests() - before;
            String all = ds.stream().map(d -> d.summary() + "\n" + d.detail()).collect(Collectors.joining("\n"));
            List<Diagnostic> notes = ds.stream().filter(d -> d.severity() == Severity.INFO && d.summary().contains(ns)).toList();
            assertEquals(1, notes.size(), "one note for the two replicas: " + all);
            assertTrue(notes.get(0).summary().startsWith("ingress coverage of " + ns + "/gateway-7c9d-"), notes.get(0).summary());
            assertTrue(notes.get(0).detail().contains("2 running pod(s) with the same labels (gateway-7c9d-a, gateway-7c9d-b)"), all);
            assertTrue(IngressCoveragePerPodTest.row(notes.get(0), "/admin/x").contains("denied (403)"), all);
            assertTrue(ds.stream().noneMatch(d -> d.summary().contains("`GET example.com /admin/x` is let through")), all);
            // the run's reads, one each (pods, services, PeerAuthentications, DestinationRules, namespaces, the mesh
            // ConfigMap, the istiod lookup, AuthorizationPolicies): judging per pod adds none
            assertTrue(requests <= 8, "requests sent: " + requests);
        }
        var validate = new io.meshform.engine.spi.CheckContext(stack, Stacks.plan(stack).after(), Map.of(),
                io.meshform.engine.spi.CheckContext.Purpose.VALIDATE);
        List<Diagnostic> offline = IngressAuthCoverage.findings(new PlannedMesh(validate, ClusterView.EMPTY));
        assertTrue(offline.get(0).detail().contains("an approximation (validate reads no pods)"), offline.get(0).detail());
        assertTrue(offline.stream().anyMatch(d -> d.summary().contains("`GET example.com /admin/x` is let through")),
                "the approximation misses the DENY policy in the gateway's namespace");
    }
}

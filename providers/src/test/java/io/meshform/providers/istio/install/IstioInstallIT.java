package io.meshform.providers.istio.install;

import io.meshform.providers.istio.checks.MeshChecksTest;

import io.meshform.providers.ChangeAssert;
import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.spi.Action;
import io.meshform.providers.Harness;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** istioctl install/uninstall through istio.install against the live cluster (kwok runs the pods). */
@LiveClusterTest
class IstioInstallIT {
    /** "1.30" from testbed/versions.env ISTIO_VERSION=1.30.3: the version the stack asks for. */
    static final String MINOR = io.meshform.testkit.Testbed.versions().get("ISTIO_VERSION").replaceAll("^(\\d+\\.\\d+).*", "$1");

    @Test
    void wrongIstioctlVersionFailsThePlan(ClusterContext cluster) {
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of("istioctl", cluster.istioctl().toString()))) {
            var e = assertThrows(DiagnosticsException.class, () -> h.plan("istio.install.mesh", yaml("version: \"1.0\"\n")));
            assertTrue(e.getMessage().contains("istioctl is version " + MINOR), e.getMessage());
            assertTrue(e.getMessage().contains("wants 1.0"), e.getMessage());
        }
    }

    @Test
    void planApplyNoopThenUninstall(ClusterContext cluster) {
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of("istioctl", cluster.istioctl().toString()))) {
            String addr = "istio.install.mesh";
            var spec = yaml("version: \"" + MINOR + "\"\nprofile: default\naddons: {kiali: false, prometheus: false, grafana: false, tracing: false}\n");
            var plan = h.plan(addr, spec);
            boolean created = plan.action() == Action.CREATE;
            System.err.println("[IstioInstallIT] " + plan.action() + ": " + plan.reason() + "\n  " + String.join("\n  ", ChangeAssert.lines(plan.details())));
            assertTrue(plan.privateData().get("renderDigest").startsWith("sha256:"));
            if (created) {
                ChangeAssert.assertChange(plan).adds("Deployment istio-system/istiod");
            }
            var applied = h.apply(addr, spec, plan.privateData());
            assertEquals(plan.privateData().get("renderDigest"), applied.metadata().get("renderDigest"));
            assertTrue(applied.metadata().get("istioctlVersion").startsWith(MINOR));
            var istiod = cluster.client().apps().deployments().inNamespace("istio-system").withName("istiod").get();
            assertTrue(istiod.getStatus().getConditions().stream()
                    .anyMatch(c -> c.getType().equals("Available") && c.getStatus().equals("True")), "istiod is Available");
            for (String crd : Readiness.POLICY_CRDS) {
                assertTrue(cluster.client().apiextensions().v1().customResourceDefinitions().withName(crd).get().getStatus()
                        .getConditions().stream().anyMatch(c -> c.getType().equals("Established") && c.getStatus().equals("True")),
                        crd + " is Established");
            }

            var again = h.plan(addr, spec);
            assertEquals(Action.NOOP, again.action(), again.reason() + "\n" + String.join("\n", ChangeAssert.lines(again.details())));

            var traced = yaml("version: \"" + MINOR + "\"\nprofile: default\naddons: {tracing: true}\n");
            var update = h.plan(addr, traced);
            assertEquals(Action.UPDATE, update.action());
            assertTrue(update.reason().startsWith("rendered manifests changed"), update.reason());
            ChangeAssert.assertChange(update).changes("ConfigMap istio-system/istio (mesh.enableTracing)");

            if (created) {
                h.delete(addr);
                assertTrue(h.progress.stream().anyMatch(l -> l.contains("uninstall")), h.progress.toString());
            }
        }
    }

    /** With the control plane running, a CUSTOM policy whose selector matches no pod is flagged; one that matches is not. */
    @Test
    void customPolicySelectingNoRunningPodIsFlagged(ClusterContext cluster) {
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of("istioctl", cluster.istioctl().toString()))) {
            var base = yaml("version: \"" + MINOR + "\"\nprofile: default\n");
            var install = h.plan("istio.install.mesh", base);
            if (install.action() == Action.CREATE) {
                h.apply("istio.install.mesh", base, install.privateData());
            }
            String ns = cluster.newNamespace();
            // A pod in the mesh: an AuthorizationPolicy guards only workloads with a sidecar (injected here).
            cluster.client().namespaces().withName(ns).edit(n -> new io.fabric8.kubernetes.api.model.NamespaceBuilder(n)
                    .editMetadata().addToLabels("istio-injection", "enabled").endMetadata().build());
            cluster.client().pods().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                    .withNewMetadata().withName("gate-0").addToLabels("app", "gate").endMetadata()
                    .withNewSpec().addNewContainer().withName("c").withImage("registry.k8s.io/pause:3.10").endContainer().endSpec()
                    .build()).create();
            var check = h.types.checks().stream().filter(c -> c.name().equals("authorization-selects-nothing")).findFirst().orElseThrow();
            String policy = "namespace: " + ns + "\naction: CUSTOM\nprovider: {name: proxy}\nrules: [{}]\nselector: {matchLabels: {app: ";
            var typo = io.meshform.providers.TestSpecs.decl("istio.authorizationPolicy.gate", policy + "gates}}\n");
            var found = check.check(MeshChecksTest.ctx(io.meshform.engine.model.Environment.PRODUCTION, typo));
            assertEquals(1, found.size(), found.toString());
            assertTrue(found.get(0).summary().contains("matches no running pod") && found.get(0).summary().contains("namespace " + ns),
                    found.get(0).summary());
            var right = io.meshform.providers.TestSpecs.decl("istio.authorizationPolicy.gate", policy + "gate}}\n");
            assertEquals(java.util.List.of(), check.check(MeshChecksTest.ctx(io.meshform.engine.model.Environment.PRODUCTION, right)));
        }
    }

    /**
     * Turning a component off plans the removal of its objects, which istioctl install then prunes; the apply returns
     * once they are gone. istioctl deletes them in the foreground and does not wait: here a finalizer holds the
     * gateway's HorizontalPodAutoscaler for a few seconds after istioctl returns (as a busy garbage collector does), and
     * a plan made at once after an apply that did not wait listed it as still to remove (seen in CI).
     */
    @Test
    void disablingAComponentPlansTheRemovalOfItsObjects(ClusterContext cluster) throws Exception {
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of("istioctl", cluster.istioctl().toString()))) {
            String addr = "istio.install.mesh";
            var base = yaml("version: \"" + MINOR + "\"\nprofile: default\n");
            h.apply(addr, base, h.plan(addr, base).privateData());
            var deployments = cluster.client().apps().deployments().inNamespace("istio-system");
            assertNotNull(deployments.withName("istio-ingressgateway").get(), "the default profile has an ingress gateway");
            var hpa = cluster.client().autoscaling().v2().horizontalPodAutoscalers().inNamespace("istio-system")
                    .withName("istio-ingressgateway");
            var noGateway = yaml("version: \"" + MINOR + "\"\nprofile: default\n"
                    + "components: {ingressGateways: [{name: istio-ingressgateway, enabled: false}]}\n");
            io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler atReturn;
            // Released 3 s after istioctl asked for the delete: istioctl has returned by then; the apply must still wait.
            try (var hold = io.meshform.testkit.FinalizerHold.add(hpa)
                    .releaseWhenDeleting(java.time.Duration.ofSeconds(3), java.time.Duration.ofMinutes(5))) {
                var plan = h.plan(addr, noGateway);
                assertEquals(Action.UPDATE, plan.action(), plan.reason());
                ChangeAssert.assertChange(plan).removes("Deployment istio-system/istio-ingressgateway (component IngressGateways)");
                ChangeAssert.assertChange(plan).removes("HorizontalPodAutoscaler istio-system/istio-ingressgateway (component IngressGateways)");
                assertTrue(plan.details().stream().noneMatch(d -> d.text().contains("istiod")), "istiod stays: " + plan.details());
                h.apply(addr, noGateway, plan.privateData());
                atReturn = hpa.get();  // read at once: once released, the HPA goes whether the apply waited or not
                assertTrue(hold.released(java.time.Duration.ofMinutes(1)), "istioctl install deleted the held HPA");
            }
            assertTrue(h.progress.stream().anyMatch(l -> l.contains("object(s) istioctl install deleted to be gone")
                    && l.contains("HorizontalPodAutoscaler istio-system/istio-ingressgateway")), h.progress.toString());
            assertNull(atReturn, "the apply returned only once the pruned HPA was gone");
            assertNull(deployments.withName("istio-ingressgateway").get(), "the apply returned only once the gateway was gone");
            var again = h.plan(addr, noGateway);
            assertEquals(Action.NOOP, again.action(), again.reason() + "\n" + String.join("\n", ChangeAssert.lines(again.details())));

            h.apply(addr, base, h.plan(addr, base).privateData());
            assertNotNull(deployments.withName("istio-ingressgateway").get(), "the gateway is back for the other tests");
        }
    }

    /**
     * A canary: a second control plane with a revision installs beside the default one, plans as a no-op once
     * installed, and uninstalls alone (the default revision keeps running).
     */
    @Test
    void canaryRevisionInstallsBesideTheDefaultAndUninstallsAlone(ClusterContext cluster) {
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of("istioctl", cluster.istioctl().toString()))) {
            var base = yaml("version: \"" + MINOR + "\"\nprofile: default\n");
            if (h.plan("istio.install.mesh", base).action() == Action.CREATE) {
                h.apply("istio.install.mesh", base, h.plan("istio.install.mesh", base).privateData());
            }
            var canary = yaml("version: \"" + MINOR + "\"\nprofile: minimal\nrevision: canary\n");
            var plan = h.plan("istio.install.canary", canary);
            assertEquals(Action.CREATE, plan.action(), plan.reason());
            h.apply("istio.install.canary", canary, plan.privateData());
            var deployments = cluster.client().apps().deployments().inNamespace("istio-system");
            assertNotNull(deployments.withName("istiod-canary").get(), "the canary control plane runs");
            assertNotNull(deployments.withName("istiod").get(), "beside the default one");
            var again = h.plan("istio.install.canary", canary);
            assertEquals(Action.NOOP, again.action(), again.reason() + "\n" + String.join("\n", ChangeAssert.lines(again.details())));
            h.delete("istio.install.canary");
            // Destroy returns once the objects istioctl uninstall deleted in the foreground are gone (UninstallWait).
            assertNull(deployments.withName("istiod-canary").get(), "the canary is uninstalled: " + h.progress);
            assertNotNull(deployments.withName("istiod").get(), "the default revision is untouched");
        }
    }
}

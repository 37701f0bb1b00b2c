package io.meshform.providers.istio.install;

import io.meshform.providers.ChangeAssert;
import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.PlanDetail;
import io.meshform.providers.Harness;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.FinalizerHold;
import io.meshform.testkit.LiveClusterTest;
import io.meshform.testkit.Testbed;
import java.io.FileInputStream;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Istio's sample addons (kiali, grafana, jaeger for tracing, prometheus) applied from the manifests Istio ships,
 * and removed when a production-style spec switches them off, including a copy someone applied by hand.
 */
@LiveClusterTest
class IstioAddonsIT {
    static final String ADDRESS = "istio.install.mesh";

    String spec(String addons) {
        String version = IstioInstallIT.MINOR;
        return "version: \"" + version + "\"\nprofile: default\naddons: {" + addons + ", manifests: \"" + Testbed.istioAddons() + "\"}\n";
    }

    @Test
    void stagingAppliesTheSampleAddonsAndProductionRemovesThem(ClusterContext cluster) throws Exception {
        KubernetesClient k = cluster.client();
        // Start without any addon object (an earlier run or a hand-applied sample may have left some).
        for (String f : new String[] {"kiali.yaml", "prometheus.yaml", "grafana.yaml", "jaeger.yaml"}) {
            try (var in = new FileInputStream(Testbed.istioAddons().resolve(f).toFile())) {
                k.load(in).inNamespace("istio-system").withGracePeriod(0).delete();
            }
        }
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of("istioctl", cluster.istioctl().toString()))) {
            var staging = yaml(spec("kiali: true, grafana: true, tracing: true"));
            var plan = h.plan(ADDRESS, staging);
            System.err.println("[IstioAddonsIT] " + plan.action() + ": " + plan.reason() + "\n  " + String.join("\n  ", ChangeAssert.lines(plan.details())));
            ChangeAssert.assertChange(plan).hasDetailStartingWith(PlanDetail.Kind.ADD, "Deployment istio-system/kiali [addon kiali]: identical to Istio ");
            ChangeAssert.assertChange(plan).hasDetailStartingWith(PlanDetail.Kind.ADD, "Service istio-system/zipkin [addon tracing]: identical to Istio ");
            ChangeAssert.assertChange(plan).hasDetailStartingWith(PlanDetail.Kind.ADD, "ClusterRole kiali [addon kiali]: identical to Istio ");
            var applied = h.apply(ADDRESS, staging, plan.privateData());
            assertTrue(applied.metadata().get("addonObjects").contains("kiali|apps/v1|Deployment|istio-system|kiali"));
            for (String d : new String[] {"kiali", "grafana", "jaeger"}) {
                assertNotNull(k.apps().deployments().inNamespace("istio-system").withName(d).get(), d + " is applied");
            }
            assertNotNull(k.rbac().clusterRoles().withName("kiali").get());
            var again = h.plan(ADDRESS, staging);
            assertEquals(Action.NOOP, again.action(), again.reason() + "\n" + String.join("\n", ChangeAssert.lines(again.details())));

            // Someone applies Prometheus by hand; a ServiceAccount of their own happens to share its name elsewhere.
            try (var in = new FileInputStream(Testbed.istioAddons().resolve("prometheus.yaml").toFile())) {
                k.load(in).inNamespace("istio-system").serverSideApply();
            }
            String ns = cluster.newNamespace();
            k.serviceAccounts().inNamespace(ns).resource(new ServiceAccountBuilder().withNewMetadata().withName("grafana")
                    .endMetadata().build()).create();

            var production = yaml(spec("kiali: false, prometheus: false, grafana: false, tracing: false"));
            var off = h.plan(ADDRESS, production);
            System.err.println("[IstioAddonsIT] " + off.action() + ": " + off.reason() + "\n  " + String.join("\n  ", ChangeAssert.lines(off.details())));
            assertEquals(Action.UPDATE, off.action(), off.reason());
            assertTrue(off.reason().startsWith("rendered manifests and addons changed"), "tracing off changes the mesh config too: "
                    + off.reason());
            ChangeAssert.assertChange(off).removes("Deployment istio-system/kiali [addon kiali is off]");
            ChangeAssert.assertChange(off).removes("ConfigMap istio-system/istio-grafana-dashboards [addon grafana is off]");
            ChangeAssert.assertChange(off).removes("Deployment istio-system/prometheus [addon prometheus is off]");
            // A finalizer (a controller's cleanup) holds kiali's Deployment a few seconds after its delete: the apply
            // returns once it is gone. Before, it returned at once, and a plan made then listed it as still to remove.
            var kiali = k.apps().deployments().inNamespace("istio-system").withName("kiali");
            // Released 3 s after the apply asked for the delete: it must still be waiting then.
            try (var hold = FinalizerHold.add(kiali).releaseWhenDeleting(Duration.ofSeconds(3), Duration.ofMinutes(5))) {
                h.apply(ADDRESS, production, off.privateData());
                var atReturn = kiali.get();
                assertTrue(hold.released(Duration.ofMinutes(1)), "the apply deleted kiali's Deployment");
                assertNull(atReturn == null ? null : "kiali, deletionTimestamp " + atReturn.getMetadata().getDeletionTimestamp(),
                        "the apply returned only once kiali's Deployment was gone: " + h.progress);
            }
            for (String d : new String[] {"kiali", "grafana", "jaeger", "prometheus"}) {
                assertNull(k.apps().deployments().inNamespace("istio-system").withName(d).get(), d + " is gone: " + h.progress);
            }
            assertTrue(h.progress.stream().anyMatch(l -> l.contains("s for addon kiali Deployment istio-system/kiali to be gone")
                    && l.contains(FinalizerHold.FINALIZER)), h.progress.toString());
            assertNull(k.rbac().clusterRoles().withName("kiali").get());
            assertNotNull(k.serviceAccounts().inNamespace(ns).withName("grafana").get(), "objects outside istio-system stay");
            assertNotNull(k.apps().deployments().inNamespace("istio-system").withName("istiod").get(), "Istio itself stays");
            var settled = h.plan(ADDRESS, production);
            assertEquals(Action.NOOP, settled.action(), settled.reason() + "\n" + String.join("\n", ChangeAssert.lines(settled.details())));
        }
    }
}

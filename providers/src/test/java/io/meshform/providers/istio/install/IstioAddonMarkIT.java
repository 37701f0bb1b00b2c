package io.meshform.providers.istio.install;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.providers.Harness;
import io.meshform.state.ResourceState;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import io.meshform.testkit.Testbed;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The audit's attack on an install's addons against the real API server: the state lists the addon objects an install
 * applied, and an entry added to that list for a hand-made ConfigMap in kube-system does not get it deleted, neither
 * by the next apply nor by destroy; the addons the install applied (and marked) are deleted as before.
 */
@LiveClusterTest
class IstioAddonMarkIT {
    @Test
    void anAddonObjectAddedToTheStateIsNeitherRemovedByApplyNorByDestroy(ClusterContext cluster) {
        var k = cluster.client();
        String ns = cluster.newNamespace();
        k.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("precious").endMetadata()
                .addToData("keep", "me").build()).create();
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of("istioctl", cluster.istioctl().toString()))) {
            String addr = "istio.install.mesh";
            var spec = yaml("version: \"" + IstioInstallIT.MINOR + "\"\nprofile: default\naddons: {grafana: true, manifests: \""
                    + Testbed.istioAddons() + "\"}\n");
            h.apply(addr, spec, h.plan(addr, spec).privateData());
            var grafana = k.apps().deployments().inNamespace("istio-system").withName("grafana").get();
            assertEquals(h.lineage, grafana.getMetadata().getAnnotations().get("meshform.io/lineage"), "the addon carries the mark");
            assertEquals(addr, grafana.getMetadata().getAnnotations().get("meshform.io/address"));

            // The edit: the state's addon objects list the hand-made ConfigMap.
            ResourceAddress a = ResourceAddress.parse(addr);
            ResourceState applied = h.state.get(a);
            Map<String, String> edited = new TreeMap<>(applied.metadata());
            edited.put("addonObjects", edited.get("addonObjects") + ",grafana|v1|ConfigMap|" + ns + "|precious");
            h.state.put(a, new ResourceState(applied.address(), applied.type(), applied.attributes(), edited));

            var plan = h.plan(addr, spec);
            String warning = addr + ": ConfigMap " + ns + "/precious is listed among the state's addon objects but carries no"
                    + " meshform mark, so this install did not apply it: it is left in place, not deleted.";
            assertTrue(plan.warnings().stream().anyMatch(w -> w.startsWith(warning)), plan.warnings().toString());
            assertTrue(plan.details().stream().noneMatch(d -> d.text().contains("precious")), plan.details().toString());
            h.apply(addr, spec, plan.privateData());
            assertNotNull(k.configMaps().inNamespace(ns).withName("precious").get(), "apply leaves it: " + h.progress);

            h.state.put(a, new ResourceState(applied.address(), applied.type(), applied.attributes(), edited));
            h.delete(addr);
            assertNotNull(k.configMaps().inNamespace(ns).withName("precious").get(), "destroy leaves it: " + h.progress);
            assertTrue(h.progress.stream().anyMatch(p -> p.startsWith(warning)), h.progress.toString());
            assertNull(k.apps().deployments().inNamespace("istio-system").withName("grafana").get(),
                    "the install's own addon is gone when destroy returns: " + h.progress);
            IstioUninstallIT.awaitGone(cluster);
            assertNull(k.apps().deployments().inNamespace("istio-system").withName("istiod").get());
        }
    }
}

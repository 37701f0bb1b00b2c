package io.meshform.providers.istio.injection;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshform.providers.DefaultIstio;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The default revision's injector webhooks (manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml,
 * Istio 1.30.3) against the test bed's API server and istiod: pods that ask for a sidecar by their own labels, in a
 * namespace without injection labels and in one labelled {@code istio-injection=disabled}, and what the API server's
 * webhook selectors and Istio's injector did to each compared with what meshform predicts.
 */
@LiveClusterTest
class WebhookSelectorsIT {

    @Test
    void meshformPredictsWhichPodLabelsReachTheInjector(ClusterContext cluster) {
        DefaultIstio.ensure(cluster);
        KubernetesClient c = cluster.client();
        Injectors injectors = Injectors.read(c);
        Map<String, Boolean> istio = new TreeMap<>();
        Map<String, Boolean> meshform = new TreeMap<>();
        Map<String, Map<String, String>> pods = new LinkedHashMap<>();
        pods.put("asks", Map.of("sidecar.istio.io/inject", "true"));
        pods.put("asks-empty-rev", Map.of("sidecar.istio.io/inject", "true", "istio.io/rev", ""));
        pods.put("rev-default", Map.of("istio.io/rev", "default"));
        pods.put("empty-rev", Map.of("istio.io/rev", ""));
        pods.put("plain", Map.of());
        String unlabelled = cluster.newNamespace();
        String disabled = cluster.newNamespace();
        c.namespaces().withName(disabled).edit(n -> {
            n.getMetadata().getLabels().put(Injection.INJECTION_LABEL, "disabled");
            return n;
        });
        for (String ns : new String[] {unlabelled, disabled}) {
            Map<String, String> nsLabels = c.namespaces().withName(ns).get().getMetadata().getLabels();
            String where = ns.equals(unlabelled) ? "unlabelled/" : "disabled/";
            for (var e : pods.entrySet()) {
                Pod created = c.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName(e.getKey())
                        .withLabels(e.getValue()).endMetadata().withNewSpec().addNewContainer().withName("app").withImage("nginx")
                        .endContainer().endSpec().build()).create();
                LivePod live = LivePods.of(created);
                istio.put(where + e.getKey(), Sidecars.hasSidecar(live));
                meshform.put(where + e.getKey(), Sidecars.injectedOnCreate(nsLabels, injectors, live));
            }
        }
        Map<String, Boolean> expected = new TreeMap<>();
        pods.keySet().forEach(p -> expected.put("disabled/" + p, false));
        pods.keySet().forEach(p -> expected.put("unlabelled/" + p, p.equals("asks") || p.equals("rev-default")));
        assertEquals(expected, istio, "Istio: webhook \"object\" needs no istio.io/rev at all, \"rev.object\" a revision's"
                + " name, and both a namespace without istio-injection");
        assertEquals(istio, meshform);
    }
}

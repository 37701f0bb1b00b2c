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
    /**
     * Every combination of a namespace's injection labels and a pod's own word (the {@code sidecar.istio.io/inject}
     * label and annotation, which {@code injectRequired} reads label first, pkg/kube/inject/inject.go; an
     * {@code istio.io/rev} label; {@code hostNetwork}) that the default revision's webhooks and injector decide, against
     * what meshform predicts for it.
     */
    @Test
    void meshformPredictsTheInjectorForEveryNamespaceAndPodLabelCombination(ClusterContext cluster) {
        DefaultIstio.ensure(cluster);
        KubernetesClient c = cluster.client();
        Injectors injectors = Injectors.read(c);
        Map<String, Map<String, String>> namespaces = new LinkedHashMap<>();
        namespaces.put("none", Map.of());
        namespaces.put("enabled", Map.of(Injection.INJECTION_LABEL, "enabled"));
        namespaces.put("disabled", Map.of(Injection.INJECTION_LABEL, "disabled"));
        namespaces.put("empty-injection", Map.of(Injection.INJECTION_LABEL, ""));
        namespaces.put("rev-default", Map.of(Injection.REVISION_LABEL, "default"));
        namespaces.put("rev-missing", Map.of(Injection.REVISION_LABEL, "mf-nowhere"));
        namespaces.put("enabled+rev-missing", Map.of(Injection.INJECTION_LABEL, "enabled", Injection.REVISION_LABEL, "mf-nowhere"));
        namespaces.put("disabled+rev-default", Map.of(Injection.INJECTION_LABEL, "disabled", Injection.REVISION_LABEL, "default"));
        record PodCase(Map<String, String> labels, Map<String, String> annotations, boolean hostNetwork) {
        }
        String inject = "sidecar.istio.io/inject";
        Map<String, PodCase> pods = new LinkedHashMap<>();
        pods.put("plain", new PodCase(Map.of(), Map.of(), false));
        pods.put("label-false", new PodCase(Map.of(inject, "false"), Map.of(), false));
        pods.put("annotation-false", new PodCase(Map.of(), Map.of(inject, "false"), false));
        pods.put("annotation-true", new PodCase(Map.of(), Map.of(inject, "true"), false));
        pods.put("label-true", new PodCase(Map.of(inject, "true"), Map.of(), false));
        pods.put("label-true-annotation-false", new PodCase(Map.of(inject, "true"), Map.of(inject, "false"), false));
        pods.put("label-empty-annotation-false", new PodCase(Map.of(inject, ""), Map.of(inject, "false"), false));
        pods.put("label-yes", new PodCase(Map.of(inject, "yes"), Map.of(), false));
        pods.put("rev-default", new PodCase(Map.of(Injection.REVISION_LABEL, "default"), Map.of(), false));
        pods.put("rev-missing", new PodCase(Map.of(Injection.REVISION_LABEL, "mf-nowhere"), Map.of(), false));
        pods.put("rev-default-label-false", new PodCase(Map.of(Injection.REVISION_LABEL, "default", inject, "false"), Map.of(), false));
        pods.put("host-network", new PodCase(Map.of(inject, "true"), Map.of(), true));
        Map<String, Boolean> istio = new TreeMap<>();
        Map<String, Boolean> meshform = new TreeMap<>();
        for (var n : namespaces.entrySet()) {
            String ns = cluster.newNamespace();
            c.namespaces().withName(ns).edit(x -> {
                x.getMetadata().getLabels().putAll(n.getValue());
                return x;
            });
            Map<String, String> nsLabels = c.namespaces().withName(ns).get().getMetadata().getLabels();
            for (var e : pods.entrySet()) {
                Pod created = c.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName(e.getKey())
                        .withLabels(e.getValue().labels()).withAnnotations(e.getValue().annotations()).endMetadata()
                        .withNewSpec().withHostNetwork(e.getValue().hostNetwork()).addNewContainer().withName("app")
                        .withImage("nginx").endContainer().endSpec().build()).create();
                LivePod live = LivePods.of(created);
                istio.put(n.getKey() + "/" + e.getKey(), Sidecars.hasSidecar(live));
                meshform.put(n.getKey() + "/" + e.getKey(), Sidecars.injectedOnCreate(nsLabels, injectors, live));
            }
        }
        System.out.println("injection matrix: " + istio.size() + " pods, injected: " + istio.entrySet().stream()
                .filter(Map.Entry::getValue).map(Map.Entry::getKey).toList());
        assertEquals(istio, meshform);
        assertEquals(true, istio.get("enabled/plain"), "the matrix reached the injector: " + istio);
    }
}

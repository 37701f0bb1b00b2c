package io.meshform.providers.istio.injection;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshform.engine.spi.ProgressSink;
import io.meshform.providers.DefaultIstio;
import io.meshform.providers.istio.core.Istioctl;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The injector's {@code neverInjectSelector} and {@code alwaysInjectSelector} against the test bed's istiod: a revision
 * installed by the real istioctl with both selectors, pods created in a namespace that revision injects, and what Istio's
 * injector did to each compared with what meshform predicts from the same install values.
 */
@LiveClusterTest
class InjectSelectorIT {
    private static final String REVISION = "mf-selectors";
    private static final String VALUES = "values:\n  sidecarInjectorWebhook:\n    neverInjectSelector: [{matchLabels: {app: mongo}}]\n"
            + "    alwaysInjectSelector: [{matchExpressions: [{key: app, operator: In, values: [mongo, api]}]}]\n";

    @TempDir
    Path dir;

    @Test
    void meshformPredictsWhatIstiosInjectorDoesWithItsSelectors(ClusterContext cluster) throws Exception {
        DefaultIstio.ensure(cluster);
        KubernetesClient c = cluster.client();
        var istioctl = new Istioctl(cluster.istioctl().toString(), "test", cluster.kubeconfigPath().toString(), null);
        Path iop = dir.resolve("iop.yaml");
        Files.writeString(iop, "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  profile: minimal\n  revision: "
                + REVISION + "\n  " + VALUES.replace("\n", "\n  ").stripTrailing() + "\n");
        var r = istioctl.run(List.of("install", "-y", "-f", iop.toString()), Duration.ofMinutes(3), ProgressSink.NONE, true);
        assertEquals(0, r.exit(), r.tail(10));
        cluster.awaitIstiod(REVISION, Duration.ofSeconds(90));
        try {
            String ns = cluster.newNamespace();
            Map<String, String> nsLabels = new LinkedHashMap<>(c.namespaces().withName(ns).get().getMetadata().getLabels());
            nsLabels.put("istio.io/rev", REVISION);
            c.namespaces().withName(ns).edit(n -> {
                n.getMetadata().getLabels().put("istio.io/rev", REVISION);
                return n;
            });
            JsonNode spec = YAMLMapper.builder().build().readTree("version: \"1.30\"\nrevision: " + REVISION + "\n" + VALUES);
            Injectors injectors = Injectors.read(c).plusInstalls(List.of(spec));
            Map<String, Map<String, String>> pods = Map.of(
                    "mongo", Map.of("app", "mongo"),
                    "api", Map.of("app", "api"),
                    "web", Map.of("app", "web"),
                    "asks", Map.of("app", "mongo", "sidecar.istio.io/inject", "true"));
            Map<String, Boolean> istio = new java.util.TreeMap<>();
            Map<String, Boolean> meshform = new java.util.TreeMap<>();
            for (var e : pods.entrySet()) {
                Pod created = c.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName(e.getKey())
                        .withLabels(e.getValue()).endMetadata().withNewSpec().addNewContainer().withName("app").withImage("nginx")
                        .endContainer().endSpec().build()).create();
                LivePod live = LivePods.of(created);
                istio.put(e.getKey(), Sidecars.hasSidecar(live));
                meshform.put(e.getKey(), Sidecars.injectedOnCreate(nsLabels, injectors, live));
            }
            assertEquals(Map.of("api", true, "asks", true, "mongo", false, "web", true), istio,
                    "Istio: never before always, the pod's own label first, policy enabled for the rest");
            assertEquals(istio, meshform);
        } finally {
            var u = istioctl.run(List.of("uninstall", "-y", "--revision", REVISION), Duration.ofMinutes(2), ProgressSink.NONE, true);
            assertEquals(0, u.exit(), u.tail(10));
        }
    }
}

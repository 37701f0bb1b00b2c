package io.meshform.providers.istio.injection;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshform.engine.spi.PlanDetail;
import io.meshform.engine.spi.ProgressSink;
import io.meshform.providers.DefaultIstio;
import io.meshform.providers.Harness;
import io.meshform.providers.istio.core.Istioctl;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A revision installed by hand (istioctl install, outside any stack) whose {@code istio-sidecar-injector-<rev>}
 * ConfigMap is then edited with a {@code neverInjectSelector}: the test bed's istiod (Istio's own ConfigMap watcher and
 * {@code injectRequired}) stops injecting the selected pods, and meshform's plan of labelling a namespace for that
 * revision, which has no install of the revision to read, says the same because it reads the live ConfigMap.
 */
@LiveClusterTest
class InjectorConfigMapIT {
    private static final String REVISION = "mf-by-hand";
    private static final String NEVER_MONGO = "neverInjectSelector:\n  - matchLabels:\n      app: mongo\n";

    @TempDir
    Path dir;

    @Test
    void aHandInstalledRevisionsEditedConfigMapDecidesWhatThePlanSays(ClusterContext cluster) throws Exception {
        DefaultIstio.ensure(cluster);
        KubernetesClient c = cluster.client();
        var istioctl = new Istioctl(cluster.istioctl().toString(), "test", cluster.kubeconfigPath().toString(), null);
        Path iop = dir.resolve("iop.yaml");
        Files.writeString(iop, "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  profile: minimal\n  revision: "
                + REVISION + "\n");
        var r = istioctl.run(List.of("install", "-y", "-f", iop.toString()), Duration.ofMinutes(3), ProgressSink.NONE, true);
        assertEquals(0, r.exit(), r.tail(10));
        cluster.awaitIstiod(REVISION, Duration.ofSeconds(90));
        try {
            c.configMaps().inNamespace("istio-system").withName(InjectorConfigMap.name(REVISION)).edit(cm -> {
                String config = cm.getData().get("config");
                assertTrue(config.contains("neverInjectSelector:\n  []\n"), "istioctl's render: " + config.substring(0, 300));
                cm.getData().put("config", config.replace("neverInjectSelector:\n  []\n", NEVER_MONGO));
                return cm;
            });
            String ns = cluster.newNamespace();
            awaitNotInjected(cluster);
            for (String app : List.of("mongo", "web")) {
                c.pods().inNamespace(ns).resource(pod(app)).create();
            }
            try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of())) {
                var labels = yaml("kind: Namespace\nname: " + ns + "\nlabels: {istio.io/rev: " + REVISION + "}\n");
                var plan = h.plan("kubernetes.labels.by_hand", labels);
                List<String> lines = plan.details().stream().map(PlanDetail::text).toList();
                assertTrue(lines.contains("  pods no Deployment, StatefulSet or DaemonSet owns (delete them to restart): " + ns + "/web"),
                        "only web gets a sidecar when restarted: " + lines);
                assertTrue(lines.get(0).contains("1 running pod(s) stay without a sidecar"), lines.toString());
                h.apply("kubernetes.labels.by_hand", labels);
            }
            Map<String, Boolean> istio = new TreeMap<>();
            for (String app : List.of("mongo", "web")) {
                c.pods().inNamespace(ns).withName(app).withGracePeriod(0).delete();
                c.pods().inNamespace(ns).withName(app).waitUntilCondition(java.util.Objects::isNull, 30, java.util.concurrent.TimeUnit.SECONDS);
                istio.put(app, Sidecars.hasSidecar(LivePods.of(c.pods().inNamespace(ns).resource(pod(app)).create())));
            }
            assertEquals(Map.of("mongo", false, "web", true), istio, "what the test bed's istiod did on restart");
        } finally {
            var u = istioctl.run(List.of("uninstall", "-y", "--revision", REVISION), Duration.ofMinutes(2), ProgressSink.NONE, true);
            assertEquals(0, u.exit(), u.tail(10));
        }
    }

    private static Pod pod(String app) {
        return new PodBuilder().withNewMetadata().withName(app).addToLabels("app", app).endMetadata().withNewSpec()
                .addNewContainer().withName("app").withImage("nginx").endContainer().endSpec().build();
    }

    /**
     * Istio's ConfigMap watcher takes the edit asynchronously: probe in a namespace of the revision until a mongo pod is
     * no longer injected, so the comparison below is with what istiod does after the edit.
     */
    private static void awaitNotInjected(ClusterContext cluster) throws InterruptedException {
        KubernetesClient c = cluster.client();
        String probe = cluster.newNamespace();
        c.namespaces().withName(probe).edit(n -> {
            n.getMetadata().getLabels().put("istio.io/rev", REVISION);
            return n;
        });
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (int i = 0; ; i++) {
            Pod p = c.pods().inNamespace(probe).resource(new PodBuilder(pod("mongo")).editMetadata().withName("mongo-" + i)
                    .endMetadata().build()).create();
            if (!Sidecars.hasSidecar(LivePods.of(p))) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "istiod still injects app=mongo 60 s after the ConfigMap edit");
            Thread.sleep(500);
        }
    }
}

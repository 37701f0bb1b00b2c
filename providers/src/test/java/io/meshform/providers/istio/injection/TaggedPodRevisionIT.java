package io.meshform.providers.istio.injection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshform.engine.spi.ProgressSink;
import io.meshform.providers.DefaultIstio;
import io.meshform.providers.istio.core.Istioctl;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A pod that asks for a sidecar by a revision tag ({@code istio.io/rev: <tag>} on the pod, webhook "rev.object" of the
 * tag) gets it from the istiod of the revision the tag points at, which writes its own revision into the pod
 * ({@code istio.io/rev} annotation, injection-template.yaml; the status annotation's {@code revision}) and its own
 * address into the proxy's environment ({@code CA_ADDR}, the revision's {@code discoveryAddress}). meshform must count the pod's sidecar as that revision's,
 * not the tag's: the proxy-version-skew check and restartWorkloads look pods up by the installed revision.
 */
@LiveClusterTest
class TaggedPodRevisionIT {
    private static final String TAG = "mf-tagged-pod";

    @Test
    void aPodLabelledWithATagHasTheSidecarOfTheRevisionTheTagPointsAt(ClusterContext cluster) throws InterruptedException {
        DefaultIstio.ensure(cluster);
        KubernetesClient c = cluster.client();
        var istioctl = new Istioctl(cluster.istioctl().toString(), "test", cluster.kubeconfigPath().toString(), null);
        var tag = istioctl.run(List.of("tag", "set", TAG, "--revision", "default", "--overwrite"), Duration.ofMinutes(1),
                ProgressSink.NONE, true);
        assertEquals(0, tag.exit(), tag.tail(10));
        try {
            String ns = cluster.newNamespace();
            Pod created = null;
            for (int attempt = 0; attempt < 20; attempt++) {
                // the tag's webhook configuration may take a moment to be served by the API server
                created = c.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("api-" + attempt)
                        .withLabels(Map.of("app", "api", "istio.io/rev", TAG)).endMetadata().withNewSpec().addNewContainer()
                        .withName("app").withImage("nginx").endContainer().endSpec().build()).create();
                if (Sidecars.hasSidecar(LivePods.of(created))) {
                    break;
                }
                Thread.sleep(500);
            }
            LivePod live = LivePods.of(created);
            assertTrue(Sidecars.hasSidecar(live), "the tag's webhook injected the pod");
            assertEquals("default", created.getMetadata().getAnnotations().get("istio.io/rev"), "the injector's own revision");
            // CA_ADDR: the injecting revision's istiod (injection-template.yaml), as its mesh config's discoveryAddress
            // (templates/configmap.yaml) names it for the proxy's xDS connection
            String caAddress = java.util.stream.Stream.concat(created.getSpec().getInitContainers().stream(),
                            created.getSpec().getContainers().stream())
                    .filter(x -> x.getName().equals(Sidecars.PROXY_CONTAINER)).findFirst().orElseThrow().getEnv().stream()
                    .filter(e -> e.getName().equals("CA_ADDR")).findFirst().map(e -> e.getValue()).orElse(null);
            assertEquals("istiod.istio-system.svc:15012", caAddress, "the proxy's control plane is the default revision's istiod");

            assertEquals("default", Sidecars.revisionOf(live));
            assertEquals(List.of(live.id()), ProxySkew.outdated(List.of(live), "default", "1.31.0").unowned(),
                    "an install of revision default to a new release restarts (here: names) the pod");
        } finally {
            istioctl.run(List.of("tag", "remove", TAG, "-y"), Duration.ofMinutes(1), ProgressSink.NONE, true);
        }
    }
}

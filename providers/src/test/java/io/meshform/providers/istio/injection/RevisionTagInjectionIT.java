package io.meshform.providers.istio.injection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshform.providers.DefaultIstio;
import io.meshform.providers.kubernetes.Json;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A pod that asks for a revision tag, injected by the test bed's istiod (Istio's own injector and templates): the pod
 * keeps the tag as its {@code istio.io/rev} label, while the injector writes the revision it is (not the tag) into the
 * {@code istio.io/rev} annotation and the status annotation, and points the proxy at that revision's istiod
 * ({@code discoveryAddress} in {@code PROXY_CONFIG}). {@link Sidecars#revisionOf} must name that revision: it once took
 * the label first (Istio's {@code revisionOfPod}) and named the tag, whose {@code istio-TAG} mesh config no istiod reads.
 */
@LiveClusterTest
class RevisionTagInjectionIT {
    private static final String TAG = "mf-tag-prod";

    @Test
    void aPodLabelledWithATagIsTheRevisionsTheTagPointsAt(ClusterContext cluster) throws Exception {
        DefaultIstio.ensure(cluster);
        KubernetesClient c = cluster.client();
        var istioctl = new io.meshform.providers.istio.core.Istioctl(cluster.istioctl().toString(), "test",
                cluster.kubeconfigPath().toString(), null);
        var set = istioctl.run(List.of("tag", "set", TAG, "--revision", "default", "--overwrite", "-y"),
                java.time.Duration.ofMinutes(1), io.meshform.engine.spi.ProgressSink.NONE, true);
        assertEquals(0, set.exit(), set.tail(10));
        try {
            cluster.awaitIstiod("default", java.time.Duration.ofSeconds(60));
            String ns = cluster.newNamespace();
            Pod pod = c.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("api").withNamespace(ns)
                    .addToLabels("app", "api").addToLabels("istio.io/rev", TAG).endMetadata()
                    .withNewSpec().addNewContainer().withName("app").withImage("registry.k8s.io/pause:3.10").endContainer()
                    .endSpec().build()).create();
            assertEquals(TAG, pod.getMetadata().getLabels().get("istio.io/rev"), "the pod keeps the tag it asked for");
            assertEquals("default", pod.getMetadata().getAnnotations().get("istio.io/rev"),
                    "the injector writes its own revision: " + pod.getMetadata().getAnnotations());
            String status = pod.getMetadata().getAnnotations().get(Sidecars.STATUS_ANNOTATION);
            assertEquals("default", Json.text(Json.MAPPER.readTree(status), "revision"), status);
            var env = Stream.concat(pod.getSpec().getContainers().stream(), pod.getSpec().getInitContainers().stream())
                    .filter(x -> Sidecars.PROXY_CONTAINER.equals(x.getName())).flatMap(x -> x.getEnv().stream())
                    .filter(e -> e.getValue() != null)
                    .collect(java.util.stream.Collectors.toMap(e -> e.getName(), e -> e.getValue(), (a, b) -> a));
            assertEquals("istiod.istio-system.svc:15012", env.get("CA_ADDR"), "the template's istiod of the injecting revision");
            // The injector writes only what differs from ProxyConfig's defaults, whose discoveryAddress is the default
            // revision's istiod (pkg/config/mesh/mesh.go DefaultProxyConfig).
            String discovery = Json.text(Json.MAPPER.readTree(env.get("PROXY_CONFIG")), "discoveryAddress");
            assertTrue(discovery == null || discovery.equals("istiod.istio-system.svc:15012"), env.get("PROXY_CONFIG"));

            LivePod live = LivePods.of(pod);
            assertEquals("default", Sidecars.revisionOf(live));
            // The skew check and restartWorkloads look pods up by the installed revision: this one is the default's.
            assertEquals(List.of(live.id()), ProxySkew.outdated(List.of(live), "default", "1.31.0").unowned(),
                    "an install of revision default to a new release restarts (here: names) the pod");
        } finally {
            c.admissionRegistration().v1().mutatingWebhookConfigurations().withName("istio-revision-tag-" + TAG).delete();
            c.services().inNamespace("istio-system").withName("istiod-revision-tag-" + TAG).delete(); // istioctl tag set makes both
        }
    }
}

package io.meshform.providers.istio.injection;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.providers.DefaultIstio;
import io.meshform.providers.Harness;
import io.meshform.state.ResourceState;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * A removal of meshform's injection labels with {@code restartWorkloads: true} (a labels resource destroyed, an adopted
 * namespace released) cut short after its label write and before its restarts: the state still records the resource,
 * and the step runs again. It found the label already gone and, judging from the live labels alone, restarted nothing,
 * so the pods kept the sidecars of a namespace that no longer injects. Here the cut-short step is a removal whose
 * recorded spec asked for no restarts (it writes what the killed one wrote, then stops); the state entry it ran from is
 * put back, as the killed run left it. The CLI's kill -9 of a destroy is InterruptedRestartsIT (cli).
 */
@LiveClusterTest
class InterruptedRemovalIT {

    @Test
    void aLabelsDeleteRunAgainRestartsWhatTheCutShortOneOwed(ClusterContext cluster) {
        removedAgainRestarts(cluster, "kubernetes.labels.inject", "kind: Namespace\n", Harness::delete);
    }

    @Test
    void aReleaseRunAgainRestartsWhatTheCutShortOneOwed(ClusterContext cluster) {
        removedAgainRestarts(cluster, "kubernetes.namespace.adopted", "", Harness::release);
    }

    private void removedAgainRestarts(ClusterContext cluster, String address, String kind,
                                      java.util.function.BiConsumer<Harness, String> removal) {
        DefaultIstio.ensure(cluster);
        String ns = cluster.newNamespace();
        KubernetesClient c = cluster.client();
        deployment(c, ns, "api");
        ResourceAddress a = ResourceAddress.parse(address);
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of())) {
            h.apply(address, yaml(kind + "name: " + ns + "\nlabels: {istio-injection: enabled}\nrestartWorkloads: true\n"
                    + "restartTimeoutSeconds: 90\n"));
            assertEquals(2, sidecars(c, ns), "the restart gave the pods their sidecar: " + h.progress);
            ResourceState owed = h.state.get(a);

            ObjectNode noRestart = owed.attributes().deepCopy();
            noRestart.put("restartWorkloads", false);
            h.state.put(a, new ResourceState(owed.address(), owed.type(), noRestart, owed.metadata()));
            removal.accept(h, address);
            assertFalse(c.namespaces().withName(ns).get().getMetadata().getLabels().containsKey("istio-injection"));
            assertEquals(2, sidecars(c, ns), "the cut-short removal restarted nothing");

            h.state.put(a, owed);
            h.progress.clear();
            removal.accept(h, address);
            assertTrue(h.progress.contains("restarting Deployment " + ns + "/api (1 of 1)"), h.progress.toString());
            assertEquals(0, sidecars(c, ns), "pods keep the sidecar of a namespace that no longer injects: " + h.progress);
        }
    }

    private static void deployment(KubernetesClient c, String ns, String name) {
        c.apps().deployments().inNamespace(ns).resource(new DeploymentBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("registry.k8s.io/pause:3.10").endContainer()
                .endSpec().endTemplate().endSpec().build()).create();
        c.apps().deployments().inNamespace(ns).withName(name).waitUntilCondition(d -> d != null && d.getStatus() != null
                && Integer.valueOf(2).equals(d.getStatus().getAvailableReplicas()), 90, TimeUnit.SECONDS);
    }

    /** How many of the namespace's pods, not on their way out, have Istio's sidecar. */
    private static long sidecars(KubernetesClient c, String ns) {
        List<io.fabric8.kubernetes.api.model.Pod> pods = c.pods().inNamespace(ns).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
        return pods.stream().filter(p -> Sidecars.hasSidecar(LivePods.of(p))).count();
    }
}

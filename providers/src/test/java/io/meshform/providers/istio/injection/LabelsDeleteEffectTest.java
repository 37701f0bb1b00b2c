package io.meshform.providers.istio.injection;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.providers.kubernetes.LabelsType;
import io.meshform.providers.kubernetes.NamespaceType;
import io.meshform.state.ResourceState;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * Removing a namespace's injection labels (destroy, or the resource left the stack) restarts its workloads when the
 * recorded spec says restartWorkloads, as the labels' update does: the plan said only "will be destroyed (destroy
 * requested)" while the destroy restarted every Deployment of the namespace on a real cluster. An adopted namespace
 * released by destroy restarts them the same way.
 */
@EnableKubernetesMockClient
class LabelsDeleteEffectTest {
    KubernetesClient client;

    private Optional<String> effect(String spec) {
        KubeConnection kube = new KubeConnection(client, "meshform");
        return new LabelsType(kube, new InjectionLabelEffects(kube)).deleteEffect(
                new ResourceState("kubernetes.labels.inj", "kubernetes.labels", (ObjectNode) yaml(spec), Map.of()));
    }

    @Test
    void removingInjectionWithRestartWorkloadsSaysTheDeleteRestarts() {
        assertEquals(Optional.of("removing istio-injection from namespace cortex may change its sidecar injection;"
                        + " restartWorkloads: if it does, the delete restarts, one at a time, each workload whose running pods keep"
                        + " the old sidecar state, waiting up to 300s for each rollout"),
                effect("name: cortex\nlabels: {istio-injection: enabled, team: pay}\nrestartWorkloads: true\n"));
    }

    @Test
    void withoutRestartWorkloadsTheRunningPodsKeepTheirSidecars() {
        assertEquals(Optional.of("removing istio.io/rev from namespace cortex may change its sidecar injection; running"
                + " pods keep their sidecar state until they restart"), effect("name: cortex\nlabels: {istio.io/rev: r1}\n"));
    }

    @Test
    void releasingAnAdoptedNamespaceSaysTheSame() {
        KubeConnection kube = new KubeConnection(client, "meshform");
        assertEquals(Optional.of("removing istio-injection from namespace cortex may change its sidecar injection;"
                        + " restartWorkloads: if it does, the release restarts, one at a time, each workload whose running pods"
                        + " keep the old sidecar state, waiting up to 300s for each rollout"),
                new NamespaceType(kube, new InjectionLabelEffects(kube)).releaseEffect(new ResourceState(
                        "kubernetes.namespace.cortex", "kubernetes.namespace",
                        (ObjectNode) yaml("name: cortex\nlabels: {istio-injection: enabled}\nrestartWorkloads: true\n"), Map.of())));
    }

    @Test
    void otherLabelsSayNothingMore() {
        assertEquals(Optional.empty(), effect("name: cortex\nlabels: {team: pay}\nrestartWorkloads: true\n"));
    }
}

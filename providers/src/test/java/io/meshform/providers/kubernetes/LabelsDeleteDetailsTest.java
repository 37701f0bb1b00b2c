package io.meshform.providers.kubernetes;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.PlanDetail;
import io.meshform.engine.spi.StackContext;
import io.meshform.state.ResourceState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * The plan of a labels delete names what the delete does to the namespace's workloads, from the labels the delete
 * goes from and to, as {@link LabelsType#delete} judges them: the plan named none, also when it retried a delete cut
 * short after it removed the labels (the live labels no longer have them). What the labels mean is the effects'
 * (Istio's injection, tried on the real cluster in InterruptedRestartsIT); here a stand-in records what it was asked.
 */
@EnableKubernetesMockClient
class LabelsDeleteDetailsTest {
    private static final ResourceAddress ADDRESS = ResourceAddress.parse("kubernetes.labels.inj");
    private static final String MANAGER = "meshform/kubernetes.labels.inj";

    KubernetesClient client;

    /** Records the labels the plan goes from and to, and answers one line. */
    private static final class Recording implements NamespaceLabelEffects {
        final List<Map<String, String>> seen = new ArrayList<>();

        @Override
        public void plan(String address, String namespace, Map<String, String> before, Map<String, String> after,
                         tools.jackson.databind.JsonNode spec, StackContext context, List<PlanDetail> details,
                         List<String> warnings) {
            seen.add(before);
            seen.add(after);
            details.add(PlanDetail.note("Deployment " + namespace + "/api (2 pods)"));
        }
    }

    private List<PlanDetail> details(Recording effects, Map<String, String> live, Map<String, Set<String>> owners) {
        LabelsType type = new LabelsType(new KubeConnection(client, "meshform"), effects);
        ResourceState recorded = new ResourceState(ADDRESS.toString(), LabelsType.NAME,
                (ObjectNode) yaml("name: cortex\nlabels: {istio-injection: enabled}\nrestartWorkloads: true\n"), Map.of());
        var data = new MetadataMapsType.Owners(new ManagedFields(owners), ManagedFields.NONE, null, live, null);
        return type.deleteDetails(ADDRESS, recorded, new LiveObject(yaml("name: cortex\nlabels: {}\n"), "1", data),
                StackContext.detached(), new ArrayList<>());
    }

    @Test
    void theDeleteGoesFromTheLiveLabelsToThoseLessMeshformsKeys() {
        Recording effects = new Recording();
        List<PlanDetail> lines = details(effects, Map.of("istio-injection", "enabled", "team", "pay"),
                Map.of("istio-injection", Set.of(MANAGER)));
        assertEquals(List.of(Map.of("istio-injection", "enabled", "team", "pay"), Map.of("team", "pay")), effects.seen);
        assertEquals(List.of(PlanDetail.note("Deployment cortex/api (2 pods)")), lines);
    }

    /** Retried after a delete cut short: the label is gone already, the restarts it owes are not. */
    @Test
    void aRetriedDeleteGoesFromTheRecordedLabelsItRemovedAlready() {
        Recording effects = new Recording();
        List<PlanDetail> lines = details(effects, Map.of("team", "pay"), Map.of());
        assertEquals(List.of(Map.of("istio-injection", "enabled", "team", "pay"), Map.of("team", "pay")), effects.seen);
        assertEquals(1, lines.size());
    }

    /** A key another field manager owns too stays after the delete (server-side apply keeps it): no change to plan. */
    @Test
    void aKeyAnotherManagerAlsoOwnsStays() {
        Recording effects = new Recording();
        details(effects, Map.of("istio-injection", "enabled"), Map.of("istio-injection", Set.of(MANAGER, "kubectl")));
        assertEquals(List.of(Map.of("istio-injection", "enabled"), Map.of("istio-injection", "enabled")), effects.seen);
    }
}

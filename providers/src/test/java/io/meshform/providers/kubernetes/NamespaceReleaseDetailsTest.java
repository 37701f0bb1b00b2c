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
 * The plan of an adopted namespace's release names what the release does to its workloads, as a labels delete's plan
 * does ({@link LabelsDeleteDetailsTest}), from the same rule: on the dev cluster, with Istio's injector webhook and a
 * Deployment whose pods carry a sidecar, {@code plan --destroy} of a kubernetes.labels listed "sidecar injection turns
 * off for namespace shop3; 1 running pod(s) stay with a sidecar until they restart: Deployment shop3/api (1 pod)", and
 * of an adopted kubernetes.namespace with the same labels listed nothing while its release removed the label alike.
 */
@EnableKubernetesMockClient
class NamespaceReleaseDetailsTest {
    private static final ResourceAddress ADDRESS = ResourceAddress.parse("kubernetes.namespace.shop");
    private static final String MANAGER = "meshform/kubernetes.namespace.shop";

    KubernetesClient client;

    private static final class Recording implements NamespaceLabelEffects {
        final List<Map<String, String>> seen = new ArrayList<>();

        @Override
        public void plan(String address, String namespace, Map<String, String> before, Map<String, String> after,
                         tools.jackson.databind.JsonNode spec, StackContext context, List<PlanDetail> details,
                         List<String> warnings) {
            seen.add(before);
            seen.add(after);
            details.add(PlanDetail.note("Deployment " + namespace + "/api (1 pod)"));
        }
    }

    private List<PlanDetail> details(Recording effects, Map<String, String> live, Map<String, Set<String>> owners,
                                     boolean terminating) {
        NamespaceType type = new NamespaceType(new KubeConnection(client, "meshform"), effects);
        ResourceState recorded = new ResourceState(ADDRESS.toString(), NamespaceType.NAME,
                (ObjectNode) yaml("name: shop\nlabels: {istio-injection: enabled}\nrestartWorkloads: true\n"),
                Map.of("adopted", "true"));
        var data = new MetadataMapsType.Owners(new ManagedFields(owners), ManagedFields.NONE,
                terminating ? new BeingDeleted("2026-12-05T14:00:00Z", List.of("kubernetes")) : null, live, null);
        return type.releaseDetails(ADDRESS, recorded, new LiveObject(yaml("name: shop\nlabels: {}\n"), "1", data),
                StackContext.detached(), new ArrayList<>());
    }

    @Test
    void theReleaseGoesFromTheLiveLabelsToThoseLessMeshformsKeys() {
        Recording effects = new Recording();
        List<PlanDetail> lines = details(effects, Map.of("istio-injection", "enabled", "team", "pay"),
                Map.of("istio-injection", Set.of(MANAGER)), false);
        assertEquals(List.of(Map.of("istio-injection", "enabled", "team", "pay"), Map.of("team", "pay")), effects.seen);
        assertEquals(List.of(PlanDetail.note("Deployment shop/api (1 pod)")), lines);
    }

    /** A key another field manager owns too stays after the release (server-side apply keeps it): no change to plan. */
    @Test
    void aKeyAnotherManagerAlsoOwnsStays() {
        Recording effects = new Recording();
        details(effects, Map.of("istio-injection", "enabled"), Map.of("istio-injection", Set.of(MANAGER, "kubectl")), false);
        assertEquals(List.of(Map.of("istio-injection", "enabled"), Map.of("istio-injection", "enabled")), effects.seen);
    }

    /** A namespace on its way out restarts nothing: the release finds it gone. */
    @Test
    void aTerminatingNamespaceListsNothing() {
        Recording effects = new Recording();
        assertEquals(List.of(), details(effects, Map.of("istio-injection", "enabled"),
                Map.of("istio-injection", Set.of(MANAGER)), true));
    }
}

package io.meshform.providers.istio.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.meshform.providers.kubernetes.KubeObjects.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** One install's plan lists each collection once, whichever of its comparisons asks first. */
class PlanListsTest {

    @Test
    void eachCollectionIsListedOncePerPlan() {
        List<Target> asked = new ArrayList<>();
        PlanLists lists = new PlanLists(t -> {
            asked.add(t);
            return Map.<String, JsonNode>of();
        });
        Target services = new Target("v1", "Service", "istio-system", null);
        Target roles = new Target("rbac.authorization.k8s.io/v1", "ClusterRole", null, null);
        Map<String, JsonNode> first = lists.apply(services);
        assertSame(first, lists.apply(services), "the addons' comparison gets the install's LIST");
        lists.apply(roles);
        lists.apply(roles);
        assertEquals(List.of(services, roles), asked);
        new PlanLists(t -> {
            asked.add(t);
            return Map.of();
        }).apply(services);
        assertEquals(List.of(services, roles, services), asked, "the next plan lists again");
    }
}

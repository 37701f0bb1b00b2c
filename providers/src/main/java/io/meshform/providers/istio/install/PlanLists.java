package io.meshform.providers.istio.install;

import io.meshform.providers.kubernetes.KubeObjects.Target;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * The live objects of each collection (kind and namespace) as one install's plan listed them, so that its
 * comparisons list each collection once: the install's own comparison, then its addons' (which ask for the same
 * istio-system and cluster kinds: ServiceAccounts, ConfigMaps, Services, Deployments, ClusterRoles...). It lives as
 * long as one call of {@code plan}, so nothing listed for one plan is trusted by the next. Lists of different
 * collections may run at once (ParallelLists); the same collection is not asked for twice at once here.
 */
final class PlanLists implements Function<Target, Map<String, JsonNode>> {
    private final Function<Target, Map<String, JsonNode>> list;
    private final Map<Target, Map<String, JsonNode>> listed = new ConcurrentHashMap<>();

    PlanLists(Function<Target, Map<String, JsonNode>> list) {
        this.list = list;
    }

    @Override
    public Map<String, JsonNode> apply(Target collection) {
        Map<String, JsonNode> known = listed.get(collection);
        if (known != null) {
            return known;
        }
        Map<String, JsonNode> read = list.apply(collection);
        listed.put(collection, read);
        return read;
    }
}

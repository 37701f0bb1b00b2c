package io.meshform.providers.istio.injection;

import io.meshform.providers.kubernetes.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * One entry of the injector's {@code neverInjectSelector} or {@code alwaysInjectSelector}: a Kubernetes label selector
 * matched against a pod's labels ({@code metav1.LabelSelectorAsSelector} in {@code injectRequired},
 * pkg/kube/inject/inject.go, Istio 1.30.3). A selector with no requirements matches nothing there
 * ({@code !selector.Empty()}), and one Kubernetes cannot parse (an unknown operator, In without values) is logged and
 * skipped, so both match no pod.
 *
 * @param matchLabels      {@code matchLabels}
 * @param matchExpressions {@code matchExpressions}
 * @param valid            false when Kubernetes would refuse the selector
 */
public record InjectSelector(Map<String, String> matchLabels, List<Requirement> matchExpressions, boolean valid) {

    /** One {@code matchExpressions} entry. */
    public record Requirement(String key, String operator, List<String> values) {
        public Requirement {
            values = List.copyOf(values);
        }

        boolean valid() {
            return switch (operator) {
                case "In", "NotIn" -> !values.isEmpty();
                case "Exists", "DoesNotExist" -> values.isEmpty();
                default -> false;
            };
        }

        boolean matches(Map<String, String> labels) {
            return switch (operator) {
                case "In" -> labels.containsKey(key) && values.contains(labels.get(key));
                case "NotIn" -> !labels.containsKey(key) || !values.contains(labels.get(key));
                case "Exists" -> labels.containsKey(key);
                default -> !labels.containsKey(key); // DoesNotExist
            };
        }
    }

    public InjectSelector {
        matchLabels = io.meshform.engine.spi.SortedCopies.of(matchLabels);
        matchExpressions = List.copyOf(matchExpressions);
    }

    /** From one list entry of the install's values; anything but an object is no selector Istio can use. */
    static InjectSelector of(JsonNode node) {
        if (!node.isObject()) {
            return new InjectSelector(Map.of(), List.of(), false);
        }
        List<Requirement> expressions = new ArrayList<>();
        for (JsonNode e : node.path("matchExpressions")) {
            List<String> values = new ArrayList<>();
            e.path("values").forEach(v -> values.add(v.asString()));
            expressions.add(new Requirement(String.valueOf(Json.text(e, "key")), String.valueOf(Json.text(e, "operator")), values));
        }
        return new InjectSelector(Json.stringMap(node.get("matchLabels")), expressions,
                expressions.stream().allMatch(Requirement::valid));
    }

    /** Every entry of a {@code neverInjectSelector} or {@code alwaysInjectSelector} list (missing: none). */
    static List<InjectSelector> listOf(JsonNode list) {
        List<InjectSelector> out = new ArrayList<>();
        if (list != null && list.isArray()) {
            list.forEach(n -> out.add(of(n)));
        }
        return out;
    }

    /** Whether the injector counts the pod's labels as selected: a valid, non-empty selector they all satisfy. */
    public boolean matches(Map<String, String> labels) {
        if (!valid || (matchLabels.isEmpty() && matchExpressions.isEmpty())) {
            return false;
        }
        for (Map.Entry<String, String> e : matchLabels.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return matchExpressions.stream().allMatch(r -> r.matches(labels));
    }
}

package io.meshform.providers.istio.install;

import io.meshform.engine.spi.PlanDetail;
import io.meshform.providers.kubernetes.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * The parts of an install's render that a value whose applied form is unknown reaches: found by rendering the spec
 * twice, with the stack's value and with a probe of the same type, and taking what differs between the two renders.
 * istioctl copies a meshConfig value into several objects (the {@code istio} ConfigMap's {@code mesh}, the
 * {@code values} ConfigMap's merged and original values, and for a {@code proxyMetadata} key an environment variable
 * of each ingress gateway: manifests/charts/istio-control/istio-discovery/templates/configmap.yaml and
 * manifests/charts/gateways/istio-ingress/templates/deployment.yaml, the chart operator/pkg/component/component.go
 * renders ingressGateways with, in Istio 1.30.3), so a fixed list of places would miss some.
 *
 * <p>{@link #objects} are objects only one of the two renders has (the value decides whether they exist), and
 * {@link #fields} the fields, per object present in both, written as {@link RenderDiff#compare} names a difference with
 * the cluster ({@code mesh.defaultConfig.proxyMetadata.AUTH_TOKEN}), so the comparison leaves out those, at the
 * grain it names differences in: where the value changes a list's length (whether an env entry exists), the grain is
 * the whole list ({@code spec.template.spec.containers[0].env}), so its other entries are left out too. What is left
 * out is wider than the value then, never narrower, and drift lists it as not checked, so what it prints stays true.
 * A field the value decides in a way two different values render alike (a template that tests for one given value)
 * is not found, and is compared: the comparison may then report a difference that is the rotation, never hide one.
 */
record ValueReach(Set<String> objects, Map<String, Set<String>> fields) {
    static final ValueReach NONE = new ValueReach(Set.of(), Map.of());

    ValueReach {
        objects = Set.copyOf(objects);
        Map<String, Set<String>> copy = new TreeMap<>();
        fields.forEach((k, v) -> copy.put(k, new LinkedHashSet<>(v)));
        fields = java.util.Collections.unmodifiableMap(copy);
    }

    /** What differs between the render with the stack's value and the render with a probe in its place. */
    static ValueReach between(List<JsonNode> withValue, List<JsonNode> withProbe) {
        Map<String, JsonNode> a = byName(withValue);
        Map<String, JsonNode> b = byName(withProbe);
        Set<String> objects = new java.util.TreeSet<>();
        Map<String, Set<String>> fields = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : a.entrySet()) {
            JsonNode other = b.get(e.getKey());
            if (other == null) {
                objects.add(e.getKey());
                continue;
            }
            JsonNode mine = NoiseRules.ignored(e.getValue());
            JsonNode theirs = NoiseRules.ignored(other);
            List<String> paths = RenderDiff.summarize(Json.paths(theirs, mine));
            if ("ConfigMap".equals(Json.text(mine, "kind"))) {
                paths = RenderDiff.insideConfig(paths, theirs.path("data"), mine.path("data"));
            }
            if (!paths.isEmpty()) {
                fields.put(e.getKey(), new LinkedHashSet<>(paths));
            }
        }
        b.keySet().stream().filter(k -> !a.containsKey(k)).forEach(objects::add);
        return new ValueReach(objects, fields);
    }

    private static Map<String, JsonNode> byName(List<JsonNode> render) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        render.forEach(o -> out.put(RenderDiff.describe(o), o));
        return out;
    }

    boolean isEmpty() {
        return objects.isEmpty() && fields.isEmpty();
    }

    /** True when the value decides whether the object exists: nothing of it can be checked. */
    boolean coversObject(String described) {
        return objects.contains(described);
    }

    /** {@code paths} (differences from the cluster of one object) without those the value reaches. */
    List<String> checkable(String described, List<String> paths) {
        Set<String> reached = fields.getOrDefault(described, Set.of());
        List<String> out = new ArrayList<>(paths);
        out.removeAll(reached);
        return out;
    }

    /** One line per object or object's fields left out of the comparison: "? ConfigMap istio-system/istio (mesh.x)". */
    List<PlanDetail> details() {
        List<PlanDetail> out = new ArrayList<>();
        objects.stream().sorted().forEach(o -> out.add(PlanDetail.unchecked(o + " (whether it exists)")));
        fields.forEach((o, paths) -> out.add(PlanDetail.unchecked(o + " (" + String.join(", ", paths) + ")")));
        return out;
    }
}

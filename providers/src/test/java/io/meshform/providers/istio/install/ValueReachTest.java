package io.meshform.providers.istio.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.spi.PlanDetail;
import io.meshform.providers.kubernetes.KubeObjects.Target;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Drift of an install whose stack rotated a sensitive meshConfig value: the render with the stack's value is compared
 * with the cluster leaving out exactly the fields that value reaches (found against a render with a probe in its
 * place), as istioctl 1.30.3 copies meshConfig into the {@code istio} ConfigMap and a gateway's PROXY_CONFIG.
 */
class ValueReachTest {
    private static final String DIGEST = "sha256:" + "0".repeat(64);

    /** The objects istioctl renders (or the cluster holds) for a mesh whose AUTH_TOKEN is {@code token}. */
    private static List<JsonNode> objects(String token, boolean tracing, boolean extra) {
        String yaml = """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: istio, namespace: istio-system}
                data:
                  mesh: |-
                    defaultConfig:
                      proxyMetadata:
                        AUTH_TOKEN: %1$s
                    enableTracing: %2$s
                    rootNamespace: istio-system
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: istio-ingressgateway, namespace: istio-system}
                spec:
                  replicas: 1
                  template:
                    spec:
                      containers:
                        - name: istio-proxy
                          image: docker.io/istio/proxyv2:1.30.3
                          env:
                            - {name: PROXY_CONFIG, value: '{"proxyMetadata":{"AUTH_TOKEN":"%1$s"}}'}
                            - {name: ISTIO_META_CLUSTER_ID, value: Kubernetes}
                """.formatted(token, tracing);
        if (extra) {
            yaml += """
                    ---
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: only-with-this-value, namespace: istio-system}
                    data: {a: b}
                    """;
        }
        return RenderDiff.parseRender(yaml).objects();
    }

    /** The cluster as a lister: each listed collection's objects by name. */
    private static Function<Target, Map<String, JsonNode>> cluster(List<JsonNode> live) {
        return t -> {
            Map<String, JsonNode> out = new HashMap<>();
            for (JsonNode o : live) {
                if (t.kind().equals(o.path("kind").asString())) {
                    out.put(o.path("metadata").path("name").asString(), o);
                }
            }
            return out;
        };
    }

    private static List<PlanDetail> compare(List<JsonNode> live, ValueReach reach) {
        return new RenderDiff(null).compare(objects("rotated-value", false, false), null, null, cluster(live), reach).details();
    }

    @Test
    void theReachIsEveryFieldTheValueIsCopiedTo() {
        ValueReach reach = ValueReach.between(objects("rotated-value", false, false), objects(DIGEST, false, false));
        assertEquals(Set.of(), reach.objects());
        assertEquals(Map.of("ConfigMap istio-system/istio", Set.of("mesh.defaultConfig.proxyMetadata.AUTH_TOKEN"),
                "Deployment istio-system/istio-ingressgateway", Set.of("spec.template.spec.containers[0].env[0].value")),
                reach.fields());
        assertEquals(List.of("? ConfigMap istio-system/istio (mesh.defaultConfig.proxyMetadata.AUTH_TOKEN)",
                "? Deployment istio-system/istio-ingressgateway (spec.template.spec.containers[0].env[0].value)"),
                reach.details().stream().map(PlanDetail::line).toList());
    }

    @Test
    void theClusterAsAppliedIsNoDifferenceOnceTheReachIsLeftOut() {
        List<JsonNode> applied = objects("applied-value", false, false);
        // What drift said before: the applied value the cluster holds, "different" from the stack's new one.
        assertEquals(2, compare(applied, ValueReach.NONE).size(), compare(applied, ValueReach.NONE).toString());
        ValueReach reach = ValueReach.between(objects("rotated-value", false, false), objects(DIGEST, false, false));
        assertEquals(List.of(), compare(applied, reach));
    }

    @Test
    void aHandChangeOutsideTheReachIsStillADifference() {
        ValueReach reach = ValueReach.between(objects("rotated-value", false, false), objects(DIGEST, false, false));
        List<PlanDetail> details = compare(objects("applied-value", true, false), reach);
        assertEquals(List.of(PlanDetail.change("ConfigMap istio-system/istio (mesh.enableTracing)")), details);
    }

    @Test
    void anObjectTheValueDecidesIsNeitherMissingNorCompared() {
        ValueReach reach = ValueReach.between(objects("rotated-value", false, true), objects(DIGEST, false, false));
        assertTrue(reach.coversObject("ConfigMap istio-system/only-with-this-value"), reach.toString());
        List<PlanDetail> details = new RenderDiff(null).compare(objects("rotated-value", false, true), null, null,
                cluster(objects("applied-value", false, false)), reach).details();
        assertEquals(List.of(), details);
        assertTrue(reach.details().contains(PlanDetail.unchecked("ConfigMap istio-system/only-with-this-value (whether it exists)")));
    }

    @Test
    void eachProbeIsAnotherValueOfTheSameType() {
        JsonNode applied = JsonMapper.builder().build().readTree("""
                {"meshConfig": {"a": "%s", "b": "%s", "c": "%s"}}""".formatted(DIGEST, DIGEST, DIGEST));
        JsonMapper json = JsonMapper.builder().build();
        Map<String, JsonNode> probes = RotatedRender.probes(applied, Map.of("/meshConfig/a", json.readTree("\"new\""),
                "/meshConfig/b", json.readTree("true"), "/meshConfig/c", json.readTree("41")));
        assertEquals(DIGEST, probes.get("/meshConfig/a").asString());
        assertEquals(false, probes.get("/meshConfig/b").booleanValue());
        assertEquals(42, probes.get("/meshConfig/c").intValue());
        assertEquals("new", RotatedRender.withValues(applied, Map.of("/meshConfig/a", json.readTree("\"new\"")))
                .at("/meshConfig/a").asString());
    }
    /**
     * The stack no longer gives the value: the applied one is known by its digest alone, so the install is rendered
     * with two different probes, and what differs between them is left out, as for a rotated value. Before, the
     * digest was rendered as if it were the value and the cluster as applied "changed outside meshform".
     */
    @Test
    void aValueTheStackNoLongerGivesIsRenderedWithTwoProbes() {
        JsonNode applied = JsonMapper.builder().build().readTree("""
                {"meshConfig": {"defaultConfig": {"proxyMetadata": {"AUTH_TOKEN": "%s"}}}}""".formatted(DIGEST));
        List<String> rendered = new java.util.ArrayList<>();
        RotatedRender r = RotatedRender.of(applied, Map.of("/meshConfig/defaultConfig/proxyMetadata/AUTH_TOKEN",
                tools.jackson.databind.node.MissingNode.getInstance()), spec -> {
                    String token = spec.at("/meshConfig/defaultConfig/proxyMetadata/AUTH_TOKEN").asString();
                    rendered.add(token);
                    return new RenderDiff.Render(objects(token, false, false), "d");
                });
        assertEquals(2, rendered.size());
        assertEquals(DIGEST, rendered.get(0));
        assertTrue(rendered.get(1).matches("sha256:[0-9a-f]{64}") && !rendered.get(1).equals(DIGEST), rendered.toString());
        assertEquals(Set.of("mesh.defaultConfig.proxyMetadata.AUTH_TOKEN"), r.reach().fields().get("ConfigMap istio-system/istio"));
        assertEquals(List.of(), new RenderDiff(null).compare(r.render().objects(), null, null,
                cluster(objects("applied-value", false, false)), r.reach()).details());
    }

    /** istioctl refuses text in a boolean field ("cannot unmarshal string into Go value of type bool"): booleans next. */
    @Test
    void aValueTheStackNoLongerGivesOfAnotherTypeIsProbedWithThatType() {
        JsonNode applied = JsonMapper.builder().build().readTree("""
                {"meshConfig": {"enableTracing": "%s"}}""".formatted(DIGEST));
        RotatedRender r = RotatedRender.of(applied, Map.of("/meshConfig/enableTracing",
                tools.jackson.databind.node.MissingNode.getInstance()), spec -> {
                    JsonNode v = spec.at("/meshConfig/enableTracing");
                    if (!v.isBoolean()) {
                        throw new IllegalStateException("json: cannot unmarshal string into Go value of type bool");
                    }
                    return new RenderDiff.Render(objects("t", v.booleanValue(), false), "d");
                });
        assertEquals(Set.of("mesh.enableTracing"), r.reach().fields().get("ConfigMap istio-system/istio"));
    }

    /**
     * A text and a boolean the stack no longer gives, in one meshConfig: one kind of probe for both rendered with none
     * (text in the boolean, or a boolean as the token), so drift failed. Each value gets a probe of its own type.
     */
    @Test
    void valuesTheStackNoLongerGivesOfDifferentTypesAreEachProbedWithTheirType() {
        JsonNode applied = JsonMapper.builder().build().readTree("""
                {"meshConfig": {"enableTracing": "%1$s", "defaultConfig": {"proxyMetadata": {"AUTH_TOKEN": "%1$s"}}}}"""
                .formatted(DIGEST));
        List<String> rendered = new java.util.ArrayList<>();
        RotatedRender r = RotatedRender.of(applied, Map.of(
                "/meshConfig/enableTracing", tools.jackson.databind.node.MissingNode.getInstance(),
                "/meshConfig/defaultConfig/proxyMetadata/AUTH_TOKEN", tools.jackson.databind.node.MissingNode.getInstance()),
                spec -> {
                    JsonNode tracing = spec.at("/meshConfig/enableTracing");
                    JsonNode token = spec.at("/meshConfig/defaultConfig/proxyMetadata/AUTH_TOKEN");
                    if (!tracing.isMissingNode() && !tracing.isBoolean()) {
                        throw new IllegalStateException("json: cannot unmarshal string into Go value of type bool");
                    }
                    if (!token.isMissingNode() && !token.isString()) {
                        throw new IllegalStateException("json: cannot unmarshal bool into Go value of type string");
                    }
                    rendered.add(tracing + " " + token);
                    return new RenderDiff.Render(objects(token.isMissingNode() ? "absent" : token.asString(),
                            tracing.isBoolean() && tracing.booleanValue(), false), "d");
                });
        assertEquals(Set.of("mesh.enableTracing", "mesh.defaultConfig.proxyMetadata.AUTH_TOKEN"),
                r.reach().fields().get("ConfigMap istio-system/istio"));
        assertTrue(rendered.get(rendered.size() - 2).startsWith("true \"" + DIGEST), rendered.toString());
        assertTrue(rendered.get(rendered.size() - 1).startsWith("false \"sha256:"), rendered.toString());
    }
}

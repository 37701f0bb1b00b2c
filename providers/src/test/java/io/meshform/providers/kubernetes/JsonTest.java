package io.meshform.providers.kubernetes;

import static io.meshform.providers.TestSpecs.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void projectionKeepsOnlyTheDesiredPaths() {
        var live = node("metadata: {name: a, uid: x, labels: {a: b, c: d}}\nspec: {ports: [{port: 80, protocol: TCP}], type: ClusterIP}\n");
        var desired = node("metadata: {name: a, labels: {a: b}}\nspec: {ports: [{port: 80}]}\n");
        assertEquals(desired, Json.project(live, desired));
        assertNull(Json.project(null, desired));
    }

    @Test
    void pathsNameEveryDifferenceAndTreatEmptyAsAbsent() {
        var a = node("mtls: {mode: PERMISSIVE}\nlabels: {}\nports: [1, 2]\n");
        var b = node("mtls: {mode: STRICT}\nports: [1, 3]\nselector: {matchLabels: {app: x}}\n");
        assertEquals(List.of("mtls.mode", "ports[1]", "selector"), Json.paths(a, b));
        assertEquals("spec.mtls.mode, spec.ports[1], spec.selector changed", Json.changedReason("spec", Json.paths(a, b)));
        assertEquals(List.of(), Json.paths(node("port: 8080"), node("port: '8080'")));
    }

    @Test
    void canonicalSortsKeysAndPointersEscape() {
        assertEquals("{\"a\":{\"x\":1,\"y\":2},\"b\":1}", Json.canonical(node("b: 1\na: {y: 2, x: 1}\n")).toString());
        assertEquals("istio.io~1rev", Json.escape("istio.io/rev"));
    }

    @org.junit.jupiter.api.Test
    void numbersCompareByValueNotText() {
        var f = tools.jackson.databind.node.JsonNodeFactory.instance;
        org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of(),
                Json.paths(f.objectNode().put("p", new java.math.BigDecimal("10.0")), f.objectNode().put("p", 10)));
        org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of("p"),
                Json.paths(f.objectNode().put("p", new java.math.BigDecimal("10.5")), f.objectNode().put("p", 10)));
    }
}

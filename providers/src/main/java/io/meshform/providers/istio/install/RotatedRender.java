package io.meshform.providers.istio.install;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The render drift compares an install with when the stack gives a sensitive value other than the one applied
 * ({@link io.meshform.engine.spi.PlanRequest#rotated}): the applied spec with the stack's value in place of the
 * digest state keeps (istioctl cannot render a digest, and rendering it as text made every such install drift), and
 * what that value reaches ({@link ValueReach}), which the comparison leaves out and drift reports as not checked.
 *
 * @param render the render to compare with the cluster
 * @param reach  the parts of it the rotated values reach; {@link ValueReach#NONE} without rotated values
 */
record RotatedRender(RenderDiff.Render render, ValueReach reach) {

    /** {@code renderer} is istioctl's render of a spec; it runs once without rotated values, twice with. */
    static RotatedRender of(JsonNode applied, Map<String, JsonNode> rotated, Function<JsonNode, RenderDiff.Render> renderer) {
        if (rotated.isEmpty()) {
            return new RotatedRender(renderer.apply(applied), ValueReach.NONE);
        }
        RenderDiff.Render withStack = renderer.apply(withValues(applied, rotated));
        RenderDiff.Render withProbe = renderer.apply(withValues(applied, probes(applied, rotated)));
        return new RotatedRender(withStack, ValueReach.between(withStack.objects(), withProbe.objects()));
    }

    /** A copy of {@code spec} with each value put at its JSON pointer. */
    static JsonNode withValues(JsonNode spec, Map<String, JsonNode> values) {
        JsonNode copy = spec.deepCopy();
        values.forEach((pointer, value) -> {
            int slash = pointer.lastIndexOf('/');
            JsonNode parent = slash <= 0 ? copy : copy.at(pointer.substring(0, slash));
            String last = pointer.substring(slash + 1).replace("~1", "/").replace("~0", "~");
            if (parent instanceof ObjectNode o) {
                o.set(last, value.deepCopy());
            } else if (parent instanceof ArrayNode a && last.matches("\\d+") && Integer.parseInt(last) < a.size()) {
                a.set(Integer.parseInt(last), value.deepCopy());
            }
        });
        return copy;
    }

    /**
     * Per rotated value, another value of the same JSON type (istioctl validates meshConfig's types): a boolean's
     * negation, another number, and for text and anything else the digest state records there, which no stack value
     * equals.
     */
    static Map<String, JsonNode> probes(JsonNode applied, Map<String, JsonNode> rotated) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        Map<String, JsonNode> out = new LinkedHashMap<>();
        rotated.forEach((pointer, value) -> {
            JsonNode probe;
            if (value.isBoolean()) {
                probe = f.booleanNode(!value.booleanValue());
            } else if (value.isIntegralNumber()) {
                probe = f.numberNode(value.bigIntegerValue().add(java.math.BigInteger.ONE));
            } else if (value.isNumber()) {
                probe = f.numberNode(value.decimalValue().add(java.math.BigDecimal.ONE));
            } else {
                probe = applied.at(pointer).deepCopy();
            }
            out.put(pointer, probe);
        });
        return out;
    }
}

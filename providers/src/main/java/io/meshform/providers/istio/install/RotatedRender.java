package io.meshform.providers.istio.install;

import io.meshform.engine.plan.SpecPointers;
import java.util.LinkedHashMap;
import java.util.List;
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

    /**
     * {@code renderer} is istioctl's render of a spec; it runs once without rotated values, twice with. A value the
     * stack no longer gives (a missing node in {@code rotated}) is rendered with two probes of its own type
     * ({@link #absentProbes}, {@link #probeKinds}), the first of which is the render compared: what differs between the
     * two is what the unknown applied value reaches.
     */
    static RotatedRender of(JsonNode applied, Map<String, JsonNode> rotated, Function<JsonNode, RenderDiff.Render> renderer) {
        if (rotated.isEmpty()) {
            return new RotatedRender(renderer.apply(applied), ValueReach.NONE);
        }
        Map<String, JsonNode> given = new LinkedHashMap<>();
        Map<String, JsonNode> absent = new LinkedHashMap<>();
        rotated.forEach((pointer, value) -> (value.isMissingNode() ? absent : given).put(pointer, value));
        // The same spec is rendered once: the probe render that found a value's type is the render compared.
        Map<JsonNode, RenderDiff.Render> rendered = new java.util.HashMap<>();
        Function<JsonNode, RenderDiff.Render> once = spec -> {
            RenderDiff.Render r = rendered.get(spec);
            if (r == null) {
                r = renderer.apply(spec);
                rendered.put(spec, r);
            }
            return r;
        };
        Map<String, ProbeKind> kinds = probeKinds(applied, given, absent, once);
        Map<String, JsonNode> first = new LinkedHashMap<>(given);
        Map<String, JsonNode> second = new LinkedHashMap<>(probes(applied, given));
        List<Map<String, JsonNode>> pair = absentProbes(applied, kinds);
        first.putAll(pair.get(0));
        second.putAll(pair.get(1));
        RenderDiff.Render withStack = once.apply(withValues(applied, first));
        RenderDiff.Render withProbe = once.apply(withValues(applied, second));
        return new RotatedRender(withStack, ValueReach.between(withStack.objects(), withProbe.objects()));
    }

    /**
     * Per value the stack no longer gives, the first kind of probe istioctl renders: the applied value's JSON type is
     * not recorded, and istioctl 1.30.3 refuses text in a boolean or number field of meshConfig ("json: cannot
     * unmarshal string into Go value of type bool"). Each value is tried on its own, the others left out of the spec,
     * so values of different types (a text and a boolean) each get their own; one kind for all made such a mix render
     * with no kind at all. A value no kind renders fails with the first failure, istioctl's word on the text probe.
     */
    static Map<String, ProbeKind> probeKinds(JsonNode applied, Map<String, JsonNode> given, Map<String, JsonNode> absent,
                                            Function<JsonNode, RenderDiff.Render> renderer) {
        Map<String, ProbeKind> kinds = new LinkedHashMap<>();
        for (String pointer : absent.keySet()) {
            JsonNode others = SpecPointers.without(applied, absent.keySet().stream().filter(p -> !p.equals(pointer)).toList());
            RuntimeException firstFailure = null;
            for (ProbeKind kind : ProbeKind.values()) {
                Map<String, JsonNode> values = new LinkedHashMap<>(given);
                values.putAll(absentProbes(applied, Map.of(pointer, kind)).get(0));
                try {
                    renderer.apply(withValues(others, values));
                    kinds.put(pointer, kind);
                    firstFailure = null;
                    break;
                } catch (RuntimeException e) {
                    firstFailure = firstFailure == null ? e : firstFailure;
                }
            }
            if (firstFailure != null) {
                throw firstFailure;
            }
        }
        return kinds;
    }

    /** The JSON type a probe for a value the stack no longer gives takes: the applied value's type is not recorded. */
    enum ProbeKind { TEXT, BOOLEAN, NUMBER }

    /**
     * Two different probes per value the stack no longer gives, each of its {@code kinds}. As text both are shaped as a
     * digest (the digest state records, and the SHA-256 of it): neither is a value a stack gives, and a spec holding a
     * digest is rendered afresh and never kept ({@link InstallRender#sensitive}). As a boolean {@code true}/{@code false},
     * as a number {@code 0}/{@code 1}.
     */
    static List<Map<String, JsonNode>> absentProbes(JsonNode applied, Map<String, ProbeKind> kinds) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        Map<String, JsonNode> first = new LinkedHashMap<>();
        Map<String, JsonNode> second = new LinkedHashMap<>();
        kinds.forEach((pointer, kind) -> {
            String digest = applied.at(pointer).asString();
            switch (kind) {
                case TEXT -> {
                    first.put(pointer, f.stringNode(digest));
                    second.put(pointer, f.stringNode(otherDigest(digest)));
                }
                case BOOLEAN -> {
                    first.put(pointer, f.booleanNode(true));
                    second.put(pointer, f.booleanNode(false));
                }
                case NUMBER -> {
                    first.put(pointer, f.numberNode(0));
                    second.put(pointer, f.numberNode(1));
                }
            }
        });
        return List.of(first, second);
    }

    private static String otherDigest(String digest) {
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(digest.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "sha256:" + java.util.HexFormat.of().formatHex(hash);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A copy of {@code spec} with each value put at its JSON pointer. */
    static JsonNode withValues(JsonNode spec, Map<String, JsonNode> values) {
        return SpecPointers.with(spec, values);
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

package io.meshform.engine.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.Stack;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/** What checks iterate is in the same order in every run, whatever order the planner's threads finished in. */
class CheckContextTest {
    private static final Stack STACK = new Stack("s", io.meshform.engine.model.Environment.PRODUCTION, null,
            io.meshform.engine.model.BackendConfig.localDefault(), List.of(), "sha256:0");

    @Test
    void afterAndRemovedIterateInAddressOrderWhateverOrderTheyWereGivenIn() {
        List<ResourceAddress> addresses = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            addresses.add(new ResourceAddress(i % 2 == 0 ? "istio.peerauthentication" : "kubernetes.manifest", "r" + i));
        }
        List<ResourceAddress> expected = new ArrayList<>(addresses);
        Collections.sort(expected);
        for (long seed = 0; seed < 5; seed++) {
            Collections.shuffle(addresses, new java.util.Random(seed));
            Map<ResourceAddress, JsonNode> given = new LinkedHashMap<>();
            addresses.forEach(a -> given.put(a, JsonNodeFactory.instance.objectNode().put("name", a.name())));
            CheckContext ctx = new CheckContext(STACK, given, given, CheckContext.Purpose.PLAN);
            assertEquals(expected, List.copyOf(ctx.after().keySet()), "after, seed " + seed);
            assertEquals(expected, List.copyOf(ctx.removed().keySet()), "removed, seed " + seed);
        }
    }

    @Test
    void theMapsAreUnmodifiableCopies() {
        Map<ResourceAddress, JsonNode> given = new LinkedHashMap<>();
        given.put(new ResourceAddress("kubernetes.namespace", "a"), JsonNodeFactory.instance.objectNode());
        CheckContext ctx = new CheckContext(STACK, given);
        given.clear();
        assertEquals(1, ctx.after().size(), "a copy: the caller's later changes do not reach the checks");
        assertThrows(UnsupportedOperationException.class, () -> ctx.after().clear());
    }
}

package io.meshform.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class StateSnapshotTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static ResourceState r(String address) {
        return new ResourceState(address, "t", JSON.createObjectNode().put("a", address), Map.of());
    }

    @Test
    void emptySnapshotsStartNewHistories() {
        StateSnapshot a = StateSnapshot.empty("0.1.0");
        assertEquals(0, a.serial());
        assertEquals(StateSnapshot.CURRENT_FORMAT_VERSION, a.formatVersion());
        assertTrue(a.resources().isEmpty());
        assertNotEquals(a.lineage(), StateSnapshot.empty("0.1.0").lineage());
    }

    @Test
    void withKeepsResourcesSortedAndReplacesByAddress() {
        StateSnapshot s = StateSnapshot.empty("v").with(r("c")).with(r("a")).with(r("b"));
        assertEquals(List.of("a", "b", "c"), s.resources().stream().map(ResourceState::address).toList());
        ResourceState newB = new ResourceState("b", "t2", JSON.createObjectNode(), Map.of());
        StateSnapshot replaced = s.with(newB);
        assertEquals(3, replaced.resources().size());
        assertEquals("t2", replaced.find("b").orElseThrow().type());
        assertEquals("t", s.find("b").orElseThrow().type(), "the original is unchanged");
    }

    @Test
    void withoutRemovesOnlyThatAddress() {
        StateSnapshot s = StateSnapshot.empty("v").with(r("a")).with(r("b"));
        assertEquals(List.of(r("b")), s.without("a").resources());
        assertSame(s, s.without("zzz"));
        assertTrue(s.find("zzz").isEmpty());
    }

    @Test
    void constructorSortsAndRejectsDuplicates() {
        StateSnapshot s = new StateSnapshot(1, 0, "l", "v", List.of(r("b"), r("a")));
        assertEquals("a", s.resources().get(0).address());
        assertThrows(IllegalArgumentException.class, () -> new StateSnapshot(1, 0, "l", "v", List.of(r("a"), r("a"))));
        assertThrows(IllegalArgumentException.class, () -> new StateSnapshot(1, -1, "l", "v", List.of()));
        assertThrows(IllegalArgumentException.class, () -> new StateSnapshot(1, 0, " ", "v", List.of()));
    }

    @Test
    void resourceAttributesCannotBeChangedFromOutside() {
        ObjectNode attrs = JSON.createObjectNode().put("mode", "STRICT");
        ResourceState res = new ResourceState("a", "t", attrs, Map.of("uid", "1"));
        attrs.put("mode", "PERMISSIVE");
        res.attributes().put("mode", "DISABLE");
        assertEquals("STRICT", res.attributes().get("mode").asString());
        assertThrows(UnsupportedOperationException.class, () -> res.metadata().put("x", "y"));
    }
}

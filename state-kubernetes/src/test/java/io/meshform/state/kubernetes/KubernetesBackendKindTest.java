package io.meshform.state.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.meshform.state.BackendCatalog;
import io.meshform.state.BackendKind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KubernetesBackendKindTest {

    @Test
    void thisModuleOnTheClassPathAddsTheKind() {
        assertEquals(List.of("kubernetes", "local"), BackendCatalog.installed().names());
        assertInstanceOf(KubernetesBackendKind.class, BackendCatalog.installed().get("kubernetes"));
    }

    @Test
    void settingsAreCheckedBeforeAnyRequest() {
        BackendKind k = new KubernetesBackendKind();
        assertEquals(List.of(), k.check(Map.of("namespace", "cortex-ops", "name", "production", "leaseSeconds", "30")));
        assertNull(k.check(Map.of()).get(0).key(), "a missing namespace is the block's problem");
        assertEquals("namespace", k.check(Map.of("namespace", "Cortex_Ops")).get(0).key());
        assertEquals("namespace", k.check(Map.of("namespace", "a".repeat(64))).get(0).key());
        assertEquals("name", k.check(Map.of("namespace", "ops", "name", "prod/../x")).get(0).key());
        assertEquals("leaseSeconds", k.check(Map.of("namespace", "ops", "leaseSeconds", "5")).get(0).key());
        assertEquals("leaseSeconds", k.check(Map.of("namespace", "ops", "leaseSeconds", "thirty")).get(0).key());
    }
}

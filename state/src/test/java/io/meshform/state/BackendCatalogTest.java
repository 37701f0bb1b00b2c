package io.meshform.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendCatalogTest {
    @TempDir
    Path dir;

    @Test
    void theInstalledKindsAreFoundByServiceLoader() {
        BackendCatalog installed = BackendCatalog.installed();
        assertTrue(installed.names().containsAll(List.of("kubernetes", "local")), installed.names().toString());
    }

    @Test
    void twoKindsWithOneNameAreRefused() {
        assertThrows(IllegalStateException.class,
                () -> new BackendCatalog(List.of(new LocalBackendKind(), new LocalBackendKind())));
    }

    @Test
    void localResolvesItsPathFromTheStackDirectory() {
        BackendKind local = BackendCatalog.installed().get("local");
        assertEquals(List.of(), local.check(Map.of("path", "state/prod.json")));
        assertEquals("path", local.check(Map.of("path", " ")).get(0).key());
        StateBackend b = local.open(new BackendRequest(Map.of("path", "prod.json"), dir, type -> {
            throw new IllegalStateException("a local file needs no client");
        }));
        assertInstanceOf(LocalStateBackend.class, b);
        assertEquals(dir.resolve("prod.json"), LocalBackendKind.file(dir, Map.of("path", "prod.json")));
    }

    @Test
    void kubernetesSettingsAreCheckedBeforeAnyRequest() {
        BackendKind k = BackendCatalog.installed().get("kubernetes");
        assertEquals(List.of(), k.check(Map.of("namespace", "cortex-ops", "name", "production", "leaseSeconds", "30")));
        assertEquals(null, k.check(Map.of()).get(0).key(), "a missing namespace is the block's problem");
        assertEquals("namespace", k.check(Map.of("namespace", "Cortex_Ops")).get(0).key());
        assertEquals("namespace", k.check(Map.of("namespace", "a".repeat(64))).get(0).key());
        assertEquals("name", k.check(Map.of("namespace", "ops", "name", "prod/../x")).get(0).key());
        assertEquals("leaseSeconds", k.check(Map.of("namespace", "ops", "leaseSeconds", "5")).get(0).key());
        assertEquals("leaseSeconds", k.check(Map.of("namespace", "ops", "leaseSeconds", "thirty")).get(0).key());
    }
}

package io.meshform.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendCatalogTest {
    @TempDir
    Path dir;

    @Test
    void theCoreModuleInstallsOnlyTheLocalFile() {
        // The Kubernetes backend lives in its own module; here, without it on the class path, it does not exist.
        assertEquals(List.of("local"), BackendCatalog.installed().names());
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
}

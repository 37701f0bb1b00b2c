package io.meshform.engine.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.diag.SourceRange;
import io.meshform.engine.testing.InMemoryCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The root confinement judges a dangling symbolic link by where it leads (audit A, M1): {@code Files.exists} follows
 * links, so a link to a file not yet created used to count as "not existing" and be judged where it lies.
 */
class StackRootTest {
    @TempDir
    Path dir;
    Path root;
    Path outside;
    StackRoot confined;

    @BeforeEach
    void dirs() throws IOException {
        root = Files.createDirectory(dir.resolve("stack"));
        outside = Files.createDirectory(dir.resolve("outside"));
        confined = new StackRoot(root, false);
    }

    private DiagnosticsException refused(String name) {
        return assertThrows(DiagnosticsException.class,
                () -> confined.resolve(root, name, "backend path", new SourceRange("meshform.yaml", 6, 11)));
    }

    @Test
    void aDanglingLinkOutOfTheRootIsOutside() throws IOException {
        Files.createSymbolicLink(root.resolve("st.json"), outside.resolve("pwn.json"));
        Diagnostic d = refused("st.json").diagnostics().get(0);
        assertTrue(d.summary().startsWith("backend path `st.json` is outside the stack's root directory " + root),
                d.summary());
        assertTrue(d.summary().contains(outside.toRealPath().resolve("pwn.json").toString()), d.summary());
        assertTrue(d.detail().contains("--allow-outside-root"), d.detail());
        assertEquals(new SourceRange("meshform.yaml", 6, 11), d.range());
        assertFalse(Files.exists(outside.resolve("pwn.json")));
    }

    @Test
    void relativeAndChainedDanglingLinksAreFollowedToTheirEnd() throws IOException {
        Files.createSymbolicLink(root.resolve("rel.json"), Path.of("../outside/pwn.json"));
        Files.createSymbolicLink(root.resolve("hop.json"), Path.of("rel.json"));
        Files.createSymbolicLink(root.resolve("via"), outside);
        refused("rel.json");
        refused("hop.json");
        refused("via/new/state.json");
        // A link whose target is inside the root but reached through ".." after a link out of it
        Files.createDirectory(outside.resolve("deep"));
        Files.createSymbolicLink(root.resolve("deep"), outside.resolve("deep"));
        Files.createSymbolicLink(root.resolve("up.json"), Path.of("deep/../pwn.json"));
        refused("up.json");
    }

    @Test
    void aLoopOfLinksIsRefused() throws IOException {
        Files.createSymbolicLink(root.resolve("a.json"), Path.of("b.json"));
        Files.createSymbolicLink(root.resolve("b.json"), Path.of("a.json"));
        assertTrue(refused("a.json").diagnostics().get(0).summary().contains("loop"));
    }

    @Test
    void aDanglingLinkInsideTheRootIsInsideAndResolvesToItsTarget() throws IOException {
        Files.createSymbolicLink(root.resolve("st.json"), Path.of("states/prod.json"));
        assertEquals(root.toRealPath().resolve("states/prod.json"),
                confined.resolve(root, "st.json", "backend path", null));
        assertEquals(root.toRealPath().resolve("new.json"), confined.resolve(root, "new.json", "backend path", null));
        Path target = outside.toRealPath().resolve("pwn.json");
        Files.createSymbolicLink(root.resolve("out.json"), target);
        assertEquals(target, new StackRoot(root, true).resolve(root, "out.json", "backend path", null),
                "--allow-outside-root lifts the rule");
    }

    @Test
    void theLoaderReportsTheBackendPathWhereItIsWritten() throws IOException {
        Files.createSymbolicLink(root.resolve("st.json"), outside.resolve("pwn.json"));
        Path stack = Files.writeString(root.resolve("meshform.yaml"), """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: dl, environment: development}
                backend:
                  local:
                    path: st.json
                """);
        StackLoader loader = new StackLoader(new InMemoryCluster().registry());
        List<Diagnostic> errors = assertThrows(DiagnosticsException.class,
                () -> loader.load(stack, VariableInputs.none(), confined)).diagnostics();
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).summary().contains("is outside the stack's root"), errors.get(0).summary());
        assertEquals(6, errors.get(0).range().line());
        assertTrue(errors.get(0).range().column() > 0);
        try (Stream<Path> s = Files.list(outside)) {
            assertEquals(0, s.count(), "validate writes nothing");
        }
    }
}

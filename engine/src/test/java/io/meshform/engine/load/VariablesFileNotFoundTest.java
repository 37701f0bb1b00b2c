package io.meshform.engine.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.testing.InMemoryCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mistyped {@code --var-file} is said to be missing, wherever it was looked for: relative to the current directory,
 * it usually lies outside the stack's root, and "is outside the stack's root directory ... move the file under the
 * root" sent the user to move a file that does not exist. An existing file outside the root is still refused so.
 */
class VariablesFileNotFoundTest {
    @TempDir
    Path dir;
    @TempDir
    Path elsewhere;

    private List<Diagnostic> errors(Path varFile) throws IOException {
        Path stack = dir.resolve("stack.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: t}
                variables:
                  v: {default: "x"}
                resources:
                  - {type: test.thing, name: x, spec: {a: "${var.v}"}}
                """);
        StackLoader loader = new StackLoader(new InMemoryCluster().registry());
        return assertThrows(DiagnosticsException.class, () -> loader.load(stack,
                new VariableInputs(Map.of(), List.of(varFile), Map.of()), new StackRoot(dir, false))).diagnostics();
    }

    @Test
    void aMissingFileOutsideTheRootIsNotFound() throws IOException {
        Path missing = elsewhere.resolve("vars.yaml");
        List<Diagnostic> errors = errors(missing);
        assertEquals(1, errors.size(), errors.toString());
        assertEquals("variables file not found", errors.get(0).summary());
        assertTrue(errors.get(0).detail().startsWith("looked for " + missing), errors.get(0).detail());
    }

    @Test
    void anExistingFileOutsideTheRootIsStillRefused() throws IOException {
        Path there = Files.writeString(elsewhere.resolve("vars.yaml"), "v: y\n");
        List<Diagnostic> errors = errors(there);
        assertTrue(errors.get(0).summary().contains("is outside the stack's root directory"), errors.toString());
    }
}

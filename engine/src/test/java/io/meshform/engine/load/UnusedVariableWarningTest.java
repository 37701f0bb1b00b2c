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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "variable `ns` is declared but never used" is said only of a stack whose every part was read: a resource of a
 * misspelt type (or a misspelt `resources:`) is left out, and the reference in it with it, so the warning was untrue
 * beside the error that names the real mistake.
 */
class UnusedVariableWarningTest {
    @TempDir
    Path dir;

    private final StackLoader loader = new StackLoader(new InMemoryCluster().registry());

    private static final String HEAD = """
            apiVersion: meshform.io/v1alpha1
            kind: Stack
            metadata: {name: t}
            variables:
              ns: {default: cortex}
            """;

    private List<String> summaries(String text) throws IOException {
        Path p = dir.resolve("stack.yaml");
        Files.writeString(p, text);
        return assertThrows(DiagnosticsException.class, () -> loader.load(p, VariableInputs.none())).diagnostics()
                .stream().map(Diagnostic::summary).toList();
    }

    @Test
    void aVariableUsedOnlyInAResourceOfAMisspeltTypeIsNotCalledUnused() throws IOException {
        List<String> got = summaries(HEAD + """
                resources:
                  - type: test.thnig
                    name: a
                    spec: {value: "${var.ns}"}
                """);
        assertEquals(List.of("unknown resource type `test.thnig`"), got);
    }

    @Test
    void aVariableUsedOnlyUnderAMisspeltResourcesKeyIsNotCalledUnused() throws IOException {
        List<String> got = summaries(HEAD + """
                resourcs:
                  - type: test.thing
                    name: a
                    spec: {value: "${var.ns}"}
                """);
        assertEquals(1, got.size(), got.toString());
        assertTrue(got.get(0).contains("unknown field `resourcs`"), got.toString());
    }

    @Test
    void aStackReadWholeStillWarnsOfAnUnusedVariable() throws IOException {
        Path p = dir.resolve("stack.yaml");
        Files.writeString(p, HEAD + "resources:\n  - {type: test.thing, name: a, spec: {value: x}}\n");
        var warnings = loader.load(p, VariableInputs.none()).warnings();
        assertEquals(List.of("variable `ns` is declared but never used"), warnings.stream().map(Diagnostic::summary).toList());
    }
}

package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.load.StackLoader;
import io.meshform.engine.load.VariableInputs;
import io.meshform.engine.spi.ProviderSettings;
import io.meshform.engine.spi.TypeRegistry;
import io.meshform.providers.MeshformProviderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stack that names one large manifest file from many resources made the loader read and hold it each time: 300
 * resources naming one 3.8 MB file took 3.7 GB and two minutes to validate. The stack's files are now counted
 * together, and the load stops at the limit with one error where the file is named.
 */
class StackReadBudgetTest {
    @TempDir
    Path dir;

    @Test
    void aManifestFileNamedByManyResourcesStopsAtTheStacksReadLimit() throws Exception {
        StringBuilder data = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big, namespace: default}\ndata:\n");
        for (int i = 0; i < 15; i++) {
            data.append("  k").append(i).append(": \"").append("a".repeat(250_000)).append("\"\n");
        }
        Files.writeString(dir.resolve("big.yaml"), data);  // 3.75 MB, under the 4 MiB limit of one file
        StringBuilder stack = new StringBuilder("apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: t}\nresources:\n");
        for (int i = 0; i < 40; i++) {  // 150 MB read in all without the limit
            stack.append("  - type: kubernetes.manifest\n    name: m").append(i).append("\n    spec: {file: big.yaml}\n");
        }
        Path file = Files.writeString(dir.resolve("stack.yaml"), stack);
        TypeRegistry types = new TypeRegistry(new MeshformProviderFactory().create(new ProviderSettings(Map.of())));

        List<Diagnostic> errors = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThrows(DiagnosticsException.class,
                () -> new StackLoader(types).load(file, new VariableInputs(Map.of(), List.of(), Map.of()))).diagnostics());

        List<Diagnostic> budget = errors.stream().filter(d -> d.summary().contains("in all")).toList();
        assertEquals(1, budget.size(), errors.toString());
        String summary = budget.get(0).summary();
        assertTrue(summary.startsWith("the stack's files come to more than 64 MiB in all, at `") && summary.endsWith("big.yaml`"), summary);
        // Said where the 18th resource names the file (17 reads of 3.75 MB fit in 64 MiB).
        assertTrue(budget.get(0).range().toString().contains("stack.yaml:" + (4 + 17 * 3 + 3) + ":"), budget.get(0).range().toString());
    }
}

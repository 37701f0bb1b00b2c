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

/** A file that is not a mapping at all says what it found and how a stack begins, at line 1, column 1. */
class StackFileShapeTest {
    @TempDir
    Path dir;

    private final StackLoader loader = new StackLoader(new InMemoryCluster().registry());

    private Diagnostic only(String text) throws IOException {
        Path p = dir.resolve("stack.yaml");
        Files.writeString(p, text);
        List<Diagnostic> all = assertThrows(DiagnosticsException.class, () -> loader.load(p, VariableInputs.none())).diagnostics();
        assertEquals(1, all.size(), all.toString());
        return all.get(0);
    }

    @Test
    void aStringOrAListSaysWhatWasFoundAndHowAStackStarts() throws IOException {
        for (String[] c : List.of(new String[] {"just a string\n", "a string"}, new String[] {"- type: istio.install\n", "a list"})) {
            Diagnostic d = only(c[0]);
            assertEquals("a stack file must be a mapping", d.summary());
            assertEquals("found " + c[1] + "; a stack starts with `apiVersion: meshform.io/v1alpha1`, `kind: Stack` and"
                    + " `metadata: {name: NAME}`", d.detail());
            assertEquals(1, d.range().line());
            assertEquals(1, d.range().column());
        }
    }

    /** A new user's first file: one error that shows the header to add, not three "missing required field"s. */
    @Test
    void aFileWithoutTheHeaderIsShownTheHeaderOnce() throws IOException {
        Diagnostic d = only("resources: []\n");
        assertEquals("missing required fields `apiVersion`, `kind` and `metadata` in the stack", d.summary());
        assertEquals("a stack file starts with these lines (NAME is the stack's name):\n  apiVersion: meshform.io/v1alpha1\n"
                + "  kind: Stack\n  metadata:\n    name: NAME", d.detail());
        assertEquals(1, d.range().line());
        assertEquals(1, d.range().column());
        assertEquals("missing required field `kind` in the stack", only("apiVersion: meshform.io/v1alpha1\nmetadata: {name: x}\n"
                + "resources: []\n").summary());
    }

    /** An imported file takes the importer's metadata: only apiVersion and kind are its header. */
    @Test
    void anImportedFileNeedsNoMetadata() throws IOException {
        Files.writeString(dir.resolve("base.yaml"), "resources: []\n");
        Diagnostic d = only("apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: x}\nimports: [base.yaml]\n");
        assertEquals("missing required fields `apiVersion` and `kind` in the stack", d.summary());
        assertTrue(d.range().toString().contains("base.yaml"), d.range().toString());
    }
}

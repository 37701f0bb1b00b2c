package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code ${var.k}} written as a mapping's key is refused, in every place, by one rule: keys take no variables, values
 * do. A label key's was reported as {@code invalid label key "${var.k}"} (with the key syntax as the hint, which did not
 * say why), an annotation key's alike, a ConfigMap data key's not at all, and the variable was called "declared but
 * never used".
 */
class VariableInKeyTest {
    @TempDir
    Path dir;

    private String validate(String stack, int expectedCode) throws IOException {
        Path file = Files.writeString(dir.resolve("meshform.yaml"), stack);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        int code = Main.run(new Terminal(ps, ps, new ByteArrayInputStream(new byte[0]), Map.of(), false),
                "validate", "-f", file.toString(), "--no-color");
        String text = buf.toString(StandardCharsets.UTF_8);
        assertEquals(expectedCode, code, text);
        return text;
    }

    @Test
    void aVariableInAnyKeyIsRefusedAtTheKeyWithWhatToDo() throws IOException {
        String text = validate("""
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: keys}
                variables:
                  k: {type: string, default: team}
                resources:
                  - type: kubernetes.labels
                    name: ns
                    spec: {kind: Namespace, name: default, labels: {"${var.k}": platform}}
                  - type: kubernetes.namespace
                    name: n
                    spec: {name: foo, annotations: {"example.com/${var.k}": b}}
                  - type: kubernetes.manifest
                    name: cm
                    spec:
                      manifest:
                        apiVersion: v1
                        kind: ConfigMap
                        metadata: {name: cm, namespace: default, labels: {"${ var.k }": v}}
                        data: {"${var.k}": v}
                """, 1);
        String says = ": a key takes no variables (its value does)";
        assertTrue(text.contains("meshform.yaml:9:53: error: `${var.k}` in the key `${var.k}`" + says), text);
        assertTrue(text.contains("meshform.yaml:12:37: error: `${var.k}` in the key `example.com/${var.k}`" + says), text);
        assertTrue(text.contains("meshform.yaml:19:59: error: `${ var.k }` in the key `${ var.k }`" + says), text);
        assertTrue(text.contains("meshform.yaml:20:16: error: `${var.k}` in the key `${var.k}`" + says), text);
        assertTrue(text.contains("write the key itself, as the cluster is to hold it; a variable may give the value"), text);
        assertTrue(text.contains("4 errors."), text);  // not a second, "invalid label key" error beside each
        assertFalse(text.contains("invalid label key"), text);
        assertFalse(text.contains("never used"), text);
    }

    @Test
    void aVariableInAValueBesideALiteralKeyIsStillTaken() throws IOException {
        String text = validate("""
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: keys}
                variables:
                  owner: {type: string, default: platform}
                resources:
                  - type: kubernetes.labels
                    name: ns
                    spec: {kind: Namespace, name: default, labels: {owner: "${var.owner}"}}
                """, 0);
        assertFalse(text.contains("error"), text);
    }
}

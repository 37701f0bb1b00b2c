package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spec field indented as deep as {@code spec:} (beside it, not under it) is the usual indentation slip: the error
 * says it is a field of the type's spec and to indent it, for every type, where it said "expected one of: adopt,
 * dependsOn, lifecycle, name, spec, type". A field no spec takes keeps the plain hint.
 */
class MisplacedSpecFieldTest {
    @TempDir
    Path dir;

    @Test
    void aSpecFieldBesideSpecIsSaidToBelongUnderIt() throws IOException {
        Path stack = Files.writeString(dir.resolve("meshform.yaml"), """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: demo}
                resources:
                  - type: istio.peerAuthentication
                    name: strict
                    spec:
                      namespace: demo
                      name: default
                    mtls: {mode: STRICT}
                  - type: kubernetes.labels
                    name: l
                    spec: {kind: Namespace, name: demo}
                    labels: {a: b}
                    colour: blue
                """);
        HelpTest.Result r = HelpTest.run("validate", "-f", stack.toString(), "--no-color");
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(stack + ":10:5: error: unknown field `mtls` in a resource\n  `mtls` is a field of"
                + " istio.peerAuthentication's spec: indent it under `spec:`, as deep as the spec's other fields"), r.err());
        assertTrue(r.err().contains(stack + ":14:5: error: unknown field `labels` in a resource\n  `labels` is a field of"
                + " kubernetes.labels's spec: indent it under `spec:`"), r.err());
        assertTrue(r.err().contains(stack + ":15:5: error: unknown field `colour` in a resource\n  expected one of: adopt,"
                + " dependsOn, lifecycle, name, spec, type"), r.err());
    }
}

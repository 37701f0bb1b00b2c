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
 * A sensitive value cannot name an object: the state records it as a digest, by which the object is not found again.
 * On the dev cluster, a ConfigMap named {@code cm-${var.nm}} (nm sensitive) applied, then every plan with the same
 * value failed with "exists, not managed by meshform", and {@code plan --destroy} said "already deleted; its record
 * will be removed from the state" while the ConfigMap stayed. The loader refuses it at the field, without printing
 * the value.
 */
class SensitiveIdentityTest {
    private static final String SECRET = "zebra7secret";

    @TempDir
    Path dir;

    private record Result(int code, String text) {
    }

    private Result validate(String stack, Map<String, String> env, String... args) throws IOException {
        Path file = Files.writeString(dir.resolve("meshform.yaml"), stack);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        String[] all = new String[args.length + 4];
        all[0] = "validate";
        all[1] = "-f";
        all[2] = file.toString();
        all[3] = "--no-color";
        System.arraycopy(args, 0, all, 4, args.length);
        int code = Main.run(new Terminal(ps, ps, new ByteArrayInputStream(new byte[0]), env, false), all);
        return new Result(code, buf.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aManifestNamedByASensitiveVariableIsRefusedAtTheName() throws IOException {
        Result r = validate("""
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: ident}
                variables:
                  nm: {type: string, sensitive: true}
                resources:
                  - type: kubernetes.manifest
                    name: cm
                    spec:
                      manifest:
                        apiVersion: v1
                        kind: ConfigMap
                        metadata: {name: "cm-${var.nm}", namespace: default}
                        data: {k: "v-${var.nm}"}
                """, Map.of(), "--var", "nm=" + SECRET);
        assertEquals(1, r.code(), r.text());
        assertTrue(r.text().contains("meshform.yaml:13:26: error: kubernetes.manifest.cm: spec.manifest.metadata.name takes a"
                + " sensitive value, which cannot name an object"), r.text());
        assertTrue(r.text().contains("give this field a value that is no secret"), r.text());
        // What a state applied before the refusal needs (DigestedNameIT: the plan then finds the object).
        assertTrue(r.text().contains("A state that an earlier meshform applied it to records the name as that digest:"
                + " given the same value, no secret, the next plan finds the object and apply records it by name"), r.text());
        assertTrue(r.text().contains("1 error."), r.text());  // data may hold it: only the name is refused
        assertFalse(r.text().contains(SECRET), r.text());
    }

    @Test
    void aValueFromTheEnvironmentNamesANamespaceOnlyWhenListedAsNoSecret() throws IOException {
        String stack = """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: ident}
                variables:
                  team: {type: string}
                resources:
                  - type: kubernetes.labels
                    name: team
                    spec: {kind: Namespace, name: "${var.team}", labels: {owner: platform}}
                """;
        Result r = validate(stack, Map.of("MESHFORM_VAR_team", "payments-team"));
        assertEquals(1, r.code(), r.text());
        assertTrue(r.text().contains("error: kubernetes.labels.team: spec.name takes a sensitive value, which cannot name an"
                + " object"), r.text());
        assertTrue(r.text().contains("list the variable in MESHFORM_NONSENSITIVE_VARS"), r.text());
        assertFalse(r.text().contains("payments-team"), r.text());

        Result listed = validate(stack, Map.of("MESHFORM_VAR_team", "payments-team", "MESHFORM_NONSENSITIVE_VARS", "team"));
        assertEquals(0, listed.code(), listed.text());
    }

    /**
     * A resource refused for a secret name is not compared with the others' objects: "declares the same object as
     * kubernetes.manifest.cm: ConfigMap default/cm-(sensitive)" told, beside the stack's plain cm-zebra7secret, what the
     * secret is, and repeated a refusal already made.
     */
    @Test
    void aNameRefusedAsSensitiveIsNotComparedWithTheOthers() throws IOException {
        Result r = validate("""
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: ident}
                variables:
                  nm: {type: string, sensitive: true}
                resources:
                  - type: kubernetes.manifest
                    name: cm
                    spec:
                      manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: "cm-${var.nm}", namespace: default}}
                  - type: kubernetes.manifest
                    name: guess
                    spec:
                      manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: cm-zebra7secret, namespace: default}}
                """, Map.of(), "--var", "nm=" + SECRET);
        assertEquals(1, r.code(), r.text());
        assertTrue(r.text().contains("spec.manifest.metadata.name takes a sensitive value"), r.text());
        assertFalse(r.text().contains("declares the same object"), r.text());
        assertTrue(r.text().contains("1 error."), r.text());
    }
}

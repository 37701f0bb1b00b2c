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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code validate} of a stack with Istio objects when istioctl cannot run: Istio's own validation did not check them,
 * so validate neither says "Success!" nor exits 0 (a CI gate must not pass what it did not check), in text and JSON.
 */
class ValidateWithoutIstioctlTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    private Result validate(String stackBody, String... more) throws IOException {
        Path stack = dir.resolve("meshform.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: demo}
                resources:
                """ + stackBody);
        List<String> args = new ArrayList<>(List.of("validate", "-f", stack.toString(), "--no-color",
                "--istioctl", dir.resolve("no-istioctl").toString()));
        args.addAll(List.of(more));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
                StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false), args.toArray(String[]::new));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static final String ISTIO = """
              - type: istio.peerAuthentication
                name: mesh-strict
                spec: {namespace: istio-system, name: default, mtls: {mode: STRICT}}
            """;

    @Test
    void istioObjectsNotCheckedAreNoSuccess() throws IOException {
        Result r = validate(ISTIO);
        assertEquals(1, r.code(), r.out() + r.err());
        assertFalse(r.out().contains("Success"), r.out());
        assertTrue(r.err().contains("error: Istio's validation did not run on the stack's 1 Istio object(s)")
                && r.err().contains("validate fails until istioctl runs"), r.err());
    }

    /**
     * A variable without a value and no istioctl: the note on what was skipped said "istioctl validate checked only the
     * objects whose values are all known" beside "Istio's validation did not run", so it said a check ran that did not.
     */
    @Test
    void withoutValuesOrIstioctlTheNoteSaysNoIstioctlCheckRan() throws IOException {
        Path stack = dir.resolve("meshform.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: demo}
                variables:
                  ns: {type: string}
                resources:
                  - type: istio.peerAuthentication
                    name: pa
                    spec: {namespace: "${var.ns}", name: default, mtls: {mode: STRICT}}
                """ + ISTIO);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
                StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false), "validate", "-f",
                stack.toString(), "--no-color", "--istioctl", dir.resolve("no-istioctl").toString());
        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, code, out + e);
        assertTrue(e.contains("Istio's validation did not run on the stack's 1 Istio object(s)"), e);
        assertTrue(e.contains("error: variable `ns` has no value"), e);
        assertFalse(e.contains("istioctl validate checked"), e);
        assertTrue(e.contains("info: the checks that need every value were skipped (the mesh checks, which judge how"
                + " objects go together, istioctl's offline render of each istio.install, manifest kinds against the"
                + " stack's CRDs) without a value for `ns`"), e);
    }

    /**
     * A stack that does not load (a ConfigMap's misspelt field) beside a PeerAuthentication's misspelt field, which only
     * istioctl validate knows: validate printed the one error as if it were all, and the next run found the other.
     * The note says the checks of a loaded stack did not run; a file that was not read gets no such note.
     */
    @Test
    void aStackThatDoesNotLoadSaysItsChecksDidNotRun() throws IOException {
        Result r = validate("""
                  - type: istio.peerAuthentication
                    name: pa
                    spec: {namespace: pol, mtls: {mod: STRICT}}
                  - type: kubernetes.manifest
                    name: cm
                    spec:
                      manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: pol}, dta: {a: b}}
                """);
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("unknown field `dta` in a ConfigMap"), r.err());
        assertTrue(r.err().contains("info: the checks of a stack that loads did not run (Istio's validation with istioctl"
                + " validate, the mesh checks, istioctl's offline render of each istio.install, manifest kinds against the"
                + " stack's CRDs), so they may find more\n  fix the errors above and run validate again"), r.err());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Main.run(new Terminal(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), new PrintStream(err,
                true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false), "validate", "-f",
                dir.resolve("missing.yaml").toString(), "--no-color");
        String missing = err.toString(StandardCharsets.UTF_8);
        assertTrue(missing.contains("stack file not found") && !missing.contains("did not run"), missing);
    }

    @Test
    void anInstallNotRenderedIsNoSuccess() throws IOException {
        Result r = validate("""
                  - type: istio.install
                    name: mesh
                    spec: {version: "1.30.3", profile: minimal}
                """);
        assertEquals(1, r.code(), r.out() + r.err());
        assertFalse(r.out().contains("Success"), r.out());
        assertTrue(r.err().contains("validate could not check the install's istioctl version and render"), r.err());
    }

    @Test
    void jsonSaysNotValid() throws IOException {
        Result r = validate(ISTIO, "--json");
        assertEquals(1, r.code(), r.out() + r.err());
        JsonNode json = JsonMapper.builder().build().readTree(r.out());
        assertFalse(json.get("valid").asBoolean(), r.out());
        assertEquals(1, json.get("error_count").asInt(), r.out());
    }

    /**
     * The README's shape of {@code validate --json} names every severity it prints: notes (what was not checked) are
     * {@code "info"}, which Terraform's shape has no word for, and the README named no value.
     */
    @Test
    void theReadmeNamesEverySeverityOfTheJson() throws IOException {
        Result r = validate("""
                  - type: kubernetes.manifest
                    name: cm
                    spec:
                      manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: pol}, dta: {a: b}}
                """, "--json");
        JsonNode json = JsonMapper.builder().build().readTree(r.out());
        java.util.Set<String> severities = new java.util.TreeSet<>();
        json.get("diagnostics").forEach(d -> severities.add(d.get("severity").asString()));
        assertEquals(java.util.Set.of("error", "info"), severities, r.out());
        String readme = String.join(" ", Files.readString(Path.of("..", "README.md")).split("\\s+"));
        String shape = readme.substring(readme.indexOf("`validate --json` prints"));
        shape = shape.substring(0, shape.indexOf("exits 1 when invalid"));
        for (String s : List.of("error", "warning", "info")) {
            assertTrue(shape.contains("`\"" + s + "\"`"), s + ": " + shape);
        }
    }

    @Test
    void aStackWithoutIstioObjectsNeedsNoIstioctl() throws IOException {
        Result r = validate("""
                  - type: kubernetes.namespace
                    name: cortex
                    spec: {name: cortex}
                """);
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().startsWith("Success! ") && r.out().contains("stack `demo`, 1 resource"), r.out());
        assertFalse(r.out().contains("1 resources"), r.out());
    }

    @Test
    void aWrongModeOrShapeIsExplainedAtTheValueFromIstiosSchema() throws IOException {
        // Istio's own words were `cannot parse proto message: unknown value "\"STRICTT\"" for enum ...` at the key,
        // and `json: cannot unmarshal string into Go value of type map[string]json.RawMessage` at `spec`.
        Result r = validate("""
                  - type: istio.peerAuthentication
                    name: a
                    spec:
                      namespace: istio-system
                      mtls: {mode: STRICTT}
                  - type: istio.peerAuthentication
                    name: b
                    spec:
                      namespace: foo
                      mtls: STRICT
                """);
        assertEquals(1, r.code(), r.out() + r.err());
        String file = dir.resolve("meshform.yaml").toString();
        assertTrue(r.err().contains(file + ":9:20: error: istio.peerAuthentication.a: spec.mtls.mode: unknown value `STRICTT`:"
                + " Istio's PeerAuthentication accepts UNSET, DISABLE, PERMISSIVE, STRICT\n  did you mean `STRICT`?"), r.err());
        assertTrue(r.err().contains(file + ":14:13: error: istio.peerAuthentication.b: spec.mtls: must be a mapping in Istio's"
                + " PeerAuthentication, found the string \"STRICT\"\n  did you mean `mtls: {mode: STRICT}`?"), r.err());
    }

    @Test
    void anIstioKindInAManifestIsExplainedAtItsValueToo() throws IOException {
        Result r = validate("""
                  - type: kubernetes.manifest
                    name: pa
                    spec:
                      manifest:
                        apiVersion: security.istio.io/v1
                        kind: PeerAuthentication
                        metadata: {name: x, namespace: foo}
                        spec: {mtls: {mode: PERMISIVE}}
                """);
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(dir.resolve("meshform.yaml") + ":12:29: error: kubernetes.manifest.pa: spec.manifest.spec.mtls.mode:"
                + " unknown value `PERMISIVE`: Istio's PeerAuthentication accepts UNSET, DISABLE, PERMISSIVE, STRICT"), r.err());
    }

    /**
     * Every kind istioctl validate decodes, not only the four meshform types: a DestinationRule's misspelt tls mode was
     * not reported at all without istioctl (and plan showed the object to create), and with istioctl in its decoder's
     * words ({@code unknown value "\"ISTIO_MUTAL\"" for enum istio.networking.v1alpha3.ClientTLSSettings.TLSmode}).
     */
    @Test
    void everyIstioKindInAManifestIsExplainedAtItsValue() throws IOException {
        Result r = validate("""
                  - type: kubernetes.manifest
                    name: dr
                    spec:
                      manifest:
                        apiVersion: networking.istio.io/v1
                        kind: DestinationRule
                        metadata: {name: reviews, namespace: cortex}
                        spec: {host: reviews, trafficPolicy: {tls: {mode: ISTIO_MUTAL}}}
                """);
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(dir.resolve("meshform.yaml") + ":12:59: error: kubernetes.manifest.dr:"
                + " spec.manifest.spec.trafficPolicy.tls.mode: unknown value `ISTIO_MUTAL`: Istio's DestinationRule accepts"
                + " DISABLE, SIMPLE, MUTUAL, ISTIO_MUTUAL\n  did you mean `ISTIO_MUTUAL`?"), r.err());
    }
}

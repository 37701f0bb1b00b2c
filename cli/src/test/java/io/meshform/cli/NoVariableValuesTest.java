package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands that need no variable value do not ask for one, as Terraform's {@code graph} and
 * {@code state rm} do not: a variable without a value is unknown there, what needs it is skipped and said, and every
 * other check and refusal stands. plan (and so apply) and validate still need every value; validate reports the rest
 * beside the missing ones.
 */
class NoVariableValuesTest {
    @TempDir
    Path dir;
    Path stack;
    Path state;

    record Result(int code, String out, String err) {
    }

    private static final String HEAD = """
            apiVersion: meshform.io/v1alpha1
            kind: Stack
            metadata: {name: demo}
            variables:
              ns: {type: string}
              mode: {type: string}
            resources:
              - type: istio.peerAuthentication
                name: pa
                spec: {namespace: "${var.ns}", name: default, mtls: {mode: "${var.mode}"}}
              - type: kubernetes.labels
                name: injection
                spec: {kind: Namespace, name: "${var.ns}", labels: {istio-injection: enabled}}
            """;

    @BeforeEach
    void write() throws IOException {
        stack = dir.resolve("meshform.yaml");
        Files.writeString(stack, HEAD);
        state = dir.resolve("meshform.state.json");
        Files.writeString(state, """
                {"format_version": 4, "serial": 3, "lineage": "0d5b3f0e-8c52-4d0b-9a52-51a7f4f7c0aa", "stack": "demo",
                 "meshform_version": "0.1.0", "resources": [
                  {"type": "kubernetes.labels", "address": "kubernetes.labels.injection",
                   "attributes": {"kind": "Namespace", "name": "cortex", "labels": {"istio-injection": "enabled"}},
                   "metadata": {}}]}
                """);
    }

    private Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-f", stack.toString(), "--no-color"));
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false),
                all.toArray(String[]::new));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void stateRmNeedsNoVariableValues() throws IOException {
        Result rm = run("state", "rm", "kubernetes.labels.injection");
        assertEquals(0, rm.code(), rm.out() + rm.err());
        assertTrue(rm.out().startsWith("Removed kubernetes.labels.injection from the state"), rm.out());
        assertTrue(rm.out().contains("The stack still declares kubernetes.labels.injection (" + stack + ":11:5)"), rm.out());
        assertFalse(Files.readString(state).contains("kubernetes.labels.injection"), Files.readString(state));
        assertFalse(rm.err().contains("has no value"), rm.err());
    }

    /**
     * A name an earlier meshform recorded as its digest: rm's way back names the object by the stack's name in clear, but
     * not while a variable without a value gives that name (`${var.cm}` names no object): then it says ID.
     */
    @Test
    void stateRmOffersNoImportIdMadeOfAnUnknownValue() throws IOException {
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: demo}
                variables:
                  cm: {type: string}
                resources:
                  - type: kubernetes.manifest
                    name: cm
                    spec:
                      manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${var.cm}", namespace: cortex}}
                """);
        Files.writeString(state, """
                {"format_version": 4, "serial": 3, "lineage": "0d5b3f0e-8c52-4d0b-9a52-51a7f4f7c0aa", "stack": "demo",
                 "meshform_version": "0.1.0", "resources": [
                  {"type": "kubernetes.manifest", "address": "kubernetes.manifest.cm",
                   "attributes": {"manifest": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name":
                     "sha256:e8c502749f79d3f9ee84a87dad559b69b8ee2bd438ec84355b1458d04daf7c25", "namespace": "cortex"}}},
                   "metadata": {}}]}
                """);
        Result rm = run("state", "rm", "kubernetes.manifest.cm");
        assertEquals(0, rm.code(), rm.out() + rm.err());
        assertTrue(rm.out().contains("to manage it again, `meshform import -f " + stack + " kubernetes.manifest.cm ID`"),
                rm.out());
    }

    /** Without values, what state rm refused for a good reason it still refuses, and changes nothing. */
    @Test
    void stateRmStillRefusesAStackThatDeclaresOneObjectTwice() throws IOException {
        Files.writeString(stack, HEAD + """
                  - type: istio.peerAuthentication
                    name: again
                    spec: {namespace: "${var.ns}", name: default, mtls: {mode: STRICT}}
                """);
        byte[] before = Files.readAllBytes(state);
        Result rm = run("state", "rm", "kubernetes.labels.injection");
        assertEquals(1, rm.code(), rm.out() + rm.err());
        assertTrue(rm.err().contains(stack + ":14:5: error: `istio.peerAuthentication.again` declares the same object as"
                + " `istio.peerAuthentication.pa`"), rm.err());
        assertTrue(rm.err().contains("Nothing was changed."), rm.err());
        assertArrayEquals(before, Files.readAllBytes(state));
    }

    /**
     * validate still needs every value (issue 13: a stack that passes it fails plan only for reasons that need the
     * cluster), but reports every other problem found without them beside the "has no value" errors.
     */
    @Test
    void validateWithoutValuesFailsOnThemAndReportsTheRest() throws IOException {
        Result missing = run("validate", "--istioctl", dir.resolve("no-istioctl").toString());
        assertEquals(1, missing.code(), missing.out() + missing.err());
        assertTrue(missing.err().contains(stack + ":5:3: error: variable `ns` has no value"), missing.err());
        assertTrue(missing.err().contains(stack + ":6:3: error: variable `mode` has no value"), missing.err());
        assertTrue(missing.err().contains(stack + ":10:23: info: istio.peerAuthentication.pa: spec.namespace is not known"
                + " without var.ns: the checks of its value were skipped"), missing.err());
        assertTrue(missing.err().contains("info: istioctl validate checked only the objects whose values are all known, and"
                + " the stack's other checks were skipped (the mesh checks, which judge how objects go together,"
                + " istioctl's offline render of each istio.install, manifest kinds against the stack's CRDs) without values"
                + " for `mode`, `ns`"), missing.err());
        assertFalse(missing.out().contains("Success!"), missing.out());

        // an error beside an unknown value is reported with the missing values (it was hidden behind "has no value")
        Files.writeString(stack, HEAD.replace("istio-injection: enabled", "istio-injection: \"on off\""));
        Result bad = run("validate");
        assertEquals(1, bad.code(), bad.out() + bad.err());
        assertTrue(bad.err().contains(stack + ":13:57: error: kubernetes.labels.injection: spec.labels.istio-injection:"
                + " invalid value \"on off\""), bad.err());
        assertTrue(bad.err().contains("variable `ns` has no value"), bad.err());

        // with every value, every check runs: istioctl validate is then required, and it cannot run here
        Files.writeString(stack, HEAD);
        Result full = run("validate", "--var", "ns=cortex", "--var", "mode=STRICT", "--istioctl",
                dir.resolve("no-istioctl").toString());
        assertEquals(1, full.code(), full.out() + full.err());
        assertTrue(full.err().contains("validate fails until istioctl runs"), full.err());
        assertFalse(full.err().contains("has no value"), full.err());
    }

    /**
     * istioctl validate judges each object by itself: the objects whose values are all known are still validated by the
     * real istioctl without the values, and what it refuses fails validate at the object's line.
     */
    @Test
    void istioctlStillValidatesTheObjectsWhoseValuesAreKnown() throws IOException {
        Files.writeString(stack, HEAD + """
                  - type: kubernetes.manifest
                    name: vs
                    spec:
                      manifest:
                        apiVersion: networking.istio.io/v1
                        kind: VirtualService
                        metadata: {name: vs, namespace: cortex}
                        spec: {hosts: [a.example], http: [{match: [{uri: {prefix: /}}]}]}
                """);
        Result r = run("validate", "--istioctl", io.meshform.testkit.Testbed.istioctl().toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(stack + ":21:9: error: kubernetes.manifest.vs: VirtualService cortex/vs spec: HTTP route,"
                + " redirect or direct_response is required"), r.err());
        assertTrue(r.err().contains("variable `ns` has no value"), r.err());
    }

    /** `${var.ns}` and `${var.ns}` are one namespace whatever ns is: the edge by the namespace's name is drawn. */
    @Test
    void graphNeedsNoVariableValues() throws IOException {
        Files.writeString(stack, HEAD + """
                  - type: kubernetes.namespace
                    name: ns
                    spec: {name: "${var.ns}"}
                """);
        Result graph = run("graph", "--format", "text");
        assertEquals(0, graph.code(), graph.out() + graph.err());
        assertEquals("""
                istio.peerAuthentication.pa
                  kubernetes.namespace.ns
                kubernetes.labels.injection
                  kubernetes.namespace.ns
                kubernetes.namespace.ns
                """, graph.out());
        // The help says what the text is (it said "an indented text tree", which it is not: no level below the first)
        assertTrue(run("graph", "--help").out().replaceAll("\\s+", " ").contains("text: each resource, with the resources"
                + " it depends on directly indented under it"), run("graph", "--help").out());
        assertTrue(graph.err().contains("info: no value for `mode`, `ns`: a dependency a type finds by a value they give"
                + " (such as a namespace's name) is drawn only between values written alike"), graph.err());
    }

    /** A file named by an unknown value cannot be read: the resource's spec is not checked, and the note says that. */
    @Test
    void aFileNamedByAnUnknownValueIsSaidToLeaveItsSpecUnchecked() throws IOException {
        Files.writeString(stack, HEAD.replace("  mode: {type: string}\n", "  mode: {type: string}\n  manifest: {type: string}\n")
                + """
                  - type: kubernetes.manifest
                    name: m
                    spec: {file: "${var.manifest}.yaml"}
                """);
        Result r = run("validate", "--istioctl", dir.resolve("no-istioctl").toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(stack + ":17:18: info: kubernetes.manifest.m: spec.file is not known without"
                + " var.manifest: the file it names cannot be read, so its spec was not checked"), r.err());
    }

    /** Each command's help says whether it needs the values. */
    @Test
    void theHelpSaysWhichCommandsNeedValues() {
        for (String[] command : List.of(new String[] {"graph"}, new String[] {"state", "rm"},
                new String[] {"state", "mv"}, new String[] {"state", "push"})) {
            List<String> args = new ArrayList<>(List.of(command));
            args.add("--help");
            String help = run(args.toArray(String[]::new)).out().replaceAll("\\s+", " ");
            assertTrue(help.contains("Needs no variable values"), String.join(" ", command) + ":\n" + help);
        }
        String validate = run("validate", "--help").out().replaceAll("\\s+", " ");
        assertTrue(validate.contains("validate needs every variable value plan needs"), validate);
        String plan = run("plan", "--help").out().replaceAll("\\s+", " ");
        assertTrue(plan.contains("plan, apply, destroy, drift, import and validate need a value for each variable without a"
                + " default"), plan);
    }

    /** Nothing is ever planned, so nothing applied, with an unknown value. */
    @Test
    void planStillNeedsEveryValue() throws IOException {
        byte[] before = Files.readAllBytes(state);
        Result plan = run("plan", "--kubeconfig", dir.resolve("no-kubeconfig").toString());
        assertEquals(1, plan.code(), plan.out() + plan.err());
        assertTrue(plan.err().contains(stack + ":5:3: error: variable `ns` has no value"), plan.err());
        assertTrue(plan.err().contains(stack + ":6:3: error: variable `mode` has no value"), plan.err());
        assertArrayEquals(before, Files.readAllBytes(state));
    }
}

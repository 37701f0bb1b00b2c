package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trust promises against the real API server, through the command line: a Secret in a stack (inline and from a
 * {@code file:}) never shows in any output, a changed value is a change and drift, a hand-made object is refused until
 * adopted, and meshform knows its own objects by their lineage mark.
 */
@LiveClusterTest
class TrustIT {
    static final String PASSWORD = "Inline-S3cret-pw-7431";
    static final String TOKEN = "File-T0ken-value-9902";

    @TempDir
    Path dir;

    private LiveRun run(ClusterContext cluster, Path stack, String... args) {
        return LiveRun.of(cluster, stack, args);
    }

    private static void assertClean(String where, String text) {
        for (String secret : List.of(PASSWORD, TOKEN, b64(PASSWORD), b64(TOKEN), "changed-by-kubectl-0")) {
            assertFalse(text.contains(secret), where + " shows a secret (" + secret + "):\n" + text);
        }
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private Path secretStack(String ns, String password) throws IOException {
        Files.writeString(dir.resolve("token.yaml"), """
                apiVersion: v1
                kind: Secret
                metadata: {name: token, namespace: %s}
                data: {token: %s}
                """.formatted(ns, b64(TOKEN)));
        Path stack = dir.resolve("meshform.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: secrets}
                resources:
                  - type: kubernetes.manifest
                    name: db
                    spec:
                      manifest:
                        apiVersion: v1
                        kind: Secret
                        metadata: {name: db, namespace: %s}
                        stringData: {password: "%s", user: cortex}
                  - type: kubernetes.manifest
                    name: token
                    spec: {file: token.yaml}
                """.formatted(ns, password));
        return stack;
    }

    @Test
    void aSecretInAStackNeverShowsAndAChangedValueIsAChangeAndDrift(ClusterContext cluster) throws IOException {
        String ns = cluster.newNamespace();
        Path stack = secretStack(ns, PASSWORD);
        Path planFile = dir.resolve("first.plan");
        for (String[] args : List.of(new String[] {"validate"}, new String[] {"plan"}, new String[] {"plan", "--json"},
                new String[] {"plan", "--markdown"}, new String[] {"plan", "--log-level", "debug"},
                new String[] {"plan", "--out", planFile.toString()})) {
            LiveRun r = run(cluster, stack, args);
            assertEquals(0, r.code(), String.join(" ", args) + ": " + r.out());
            assertClean(String.join(" ", args), r.out());
        }
        assertClean("show --markdown", run(cluster, stack, "show", "--markdown", planFile.toString()).out());
        LiveRun apply = run(cluster, stack, "apply", "--auto-approve", "--log-level", "debug");
        assertEquals(0, apply.code(), apply.out());
        assertClean("apply", apply.out());
        Secret db = cluster.client().secrets().inNamespace(ns).withName("db").get();
        assertEquals(PASSWORD, new String(Base64.getDecoder().decode(db.getData().get("password")), StandardCharsets.UTF_8));
        assertEquals(0, run(cluster, stack, "plan", "--detailed-exitcode").code(), "applied: no changes");

        // A new password in the stack: a change, without its value.
        secretStack(ns, "Rotated-pw-0000");
        LiveRun rotated = run(cluster, stack, "plan", "--detailed-exitcode");
        assertEquals(2, rotated.code(), rotated.out());
        assertTrue(rotated.out().contains("+    password: (sensitive value changed)"), rotated.out());
        assertFalse(rotated.out().contains("Rotated-pw-0000"), rotated.out());
        secretStack(ns, PASSWORD);
        assertEquals(0, run(cluster, stack, "drift").code(), "what was applied is what runs");

        // Another resource changes and is applied: the Secret is recorded in the same form as before (no false drift).
        Files.writeString(stack, Files.readString(stack) + """
                  - type: kubernetes.manifest
                    name: other
                    spec:
                      manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: other, namespace: %s}, data: {a: b}}
                """.formatted(ns));
        assertEquals(0, run(cluster, stack, "apply", "--auto-approve").code());
        LiveRun clean = run(cluster, stack, "drift");
        assertEquals(0, clean.code(), "no drift after an apply of something else: " + clean.out());

        // A value changed with kubectl: drift, by digest, in every format, without the value.
        cluster.client().secrets().inNamespace(ns).withName("token")
                .edit(s -> {
                    s.getData().put("token", b64("changed-by-kubectl-0"));
                    return s;
                });
        for (String format : List.of("text", "json", "markdown", "junit")) {
            Path report = dir.resolve("drift." + format);
            LiveRun drift = run(cluster, stack, "drift", "--format", format, "--output", report.toString());
            assertEquals(2, drift.code(), format + ": " + drift.out());
            assertTrue(Files.readString(report).contains("kubernetes.manifest.token"), Files.readString(report));
            assertClean("drift " + format, Files.readString(report));
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> !f.getFileName().toString().endsWith(".yaml")).toList()) {
                assertClean(f.getFileName().toString(), Files.readString(f));
            }
        }
    }

    @Test
    void aHandMadeObjectIsRefusedAdoptedOnPurposeAndKeptByDestroy(ClusterContext cluster) throws IOException {
        String ns = cluster.newNamespace();
        cluster.client().configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("handmade")
                .endMetadata().addToData("a", "b").build()).create();
        Path stack = dir.resolve("meshform.yaml");
        String declared = """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: adoption}
                resources:
                  - type: kubernetes.manifest
                    name: cm
                    %s
                    spec:
                      manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: handmade, namespace: %s}, data: {a: b}}
                """;
        Files.writeString(stack, declared.formatted("", ns));
        LiveRun plan = run(cluster, stack, "plan");
        assertEquals(1, plan.code(), plan.out());
        assertTrue(plan.out().contains("ConfigMap " + ns + "/handmade exists, not managed by meshform"), plan.out());
        assertTrue(plan.out().contains("meshform import kubernetes.manifest.cm " + ns + "/handmade"), plan.out());
        assertEquals(1, run(cluster, stack, "apply", "--auto-approve").code());
        assertFalse(Files.exists(dir.resolve("meshform.state.json")), "nothing recorded");

        Files.writeString(stack, declared.formatted("adopt: true", ns));
        LiveRun adopt = run(cluster, stack, "plan", "--detailed-exitcode");
        assertEquals(2, adopt.code(), adopt.out());
        assertTrue(adopt.out().contains("adopt: ConfigMap " + ns + "/handmade exists, not managed by meshform"), adopt.out());
        assertEquals(0, run(cluster, stack, "apply", "--auto-approve").code());
        var marked = cluster.client().configMaps().inNamespace(ns).withName("handmade").get().getMetadata().getAnnotations();
        assertNotNull(marked.get("meshform.io/lineage"), "apply marks what it manages");
        assertEquals("kubernetes.manifest.cm", marked.get("meshform.io/address"));
        assertEquals(0, run(cluster, stack, "plan", "--detailed-exitcode").code(), "the mark is no change");

        LiveRun destroy = run(cluster, stack, "destroy", "--auto-approve");
        assertEquals(0, destroy.code(), destroy.out());
        var kept = cluster.client().configMaps().inNamespace(ns).withName("handmade").get();
        assertNotNull(kept, "an adopted object stays");
        assertFalse(kept.getMetadata().getAnnotations() != null && kept.getMetadata().getAnnotations().containsKey("meshform.io/lineage"),
                "without meshform's mark");
    }

    @Test
    void anObjectAnInterruptedApplyMadeIsRecognisedByItsMarkAndAnotherStatesIsNot(ClusterContext cluster) throws IOException {
        String ns = cluster.newNamespace();
        Path stack = dir.resolve("meshform.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: lineage}
                resources:
                  - type: kubernetes.manifest
                    name: cm
                    spec:
                      manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: mine, namespace: %s}, data: {a: b}}
                """.formatted(ns));
        assertEquals(0, run(cluster, stack, "apply", "--auto-approve").code());
        // The state forgets it: the mark alone (which anyone who may create the object can copy) does not get it back.
        assertEquals(0, run(cluster, stack, "state", "rm", "kubernetes.manifest.cm").code());
        LiveRun forgotten = run(cluster, stack, "plan");
        assertEquals(1, forgotten.code(), forgotten.out());
        assertTrue(forgotten.out().contains("no apply of this state wrote that it was creating it"), forgotten.out());
        // As if the apply had died between making the object and recording it: it had written that it was creating it.
        Path state = dir.resolve("meshform.state.json");
        String text = Files.readString(state);
        assertTrue(text.contains("\"resources\""), text);
        Files.writeString(state, text.replaceFirst("\"resources\"", "\"creating\": [\"kubernetes.manifest.cm\"], \"resources\""));
        LiveRun plan = run(cluster, stack, "plan");
        assertEquals(0, plan.code(), plan.out());
        assertTrue(plan.out().contains("will be recorded in state"), plan.out());
        assertEquals(0, run(cluster, stack, "apply", "--auto-approve").code());
        assertEquals("kubernetes.manifest.cm\n", run(cluster, stack, "state", "list").out());

        LiveRun mistyped = run(cluster, stack, "plan", "--state", dir.resolve("meshform.stat.json").toString());
        assertEquals(1, mistyped.code());
        assertTrue(mistyped.out().contains("mark of another state"), mistyped.out());
    }

    @Test
    void aManifestFileNamingAKubeconfigPrintsNoCredential(ClusterContext cluster) throws IOException {
        Path stack = dir.resolve("meshform.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: kubeconfig}
                resources:
                  - type: kubernetes.manifest
                    name: kc
                    spec: {file: %s}
                """.formatted(cluster.kubeconfigPath()));
        LiveRun outside = run(cluster, stack, "plan");
        assertEquals(1, outside.code());
        assertTrue(outside.out().contains("outside the stack's root"), outside.out());
        Files.copy(cluster.kubeconfigPath(), dir.resolve("kubeconfig.yaml"));
        Files.writeString(stack, Files.readString(stack).replace(cluster.kubeconfigPath().toString(), "kubeconfig.yaml"));
        String kubeconfig = Files.readString(dir.resolve("kubeconfig.yaml"));
        LiveRun inside = run(cluster, stack, "plan");
        assertEquals(1, inside.code(), "a kubeconfig is no Kubernetes object: " + inside.out());
        for (String line : kubeconfig.split("\n")) {
            int colon = line.indexOf(": ");
            if (colon > 0 && line.length() - colon > 30) {
                assertFalse(inside.out().contains(line.substring(colon + 2).trim()), "credential shown:\n" + inside.out());
            }
        }
    }
}

package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
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

/**
 * The way out of a state that records an object's name as a digest, on the live cluster: meshform before 9f7161cd
 * applied {@code name: "cm-${var.nm}"} with {@code nm} sensitive and recorded the name as {@link #DIGEST} (the state
 * that build wrote on the dev cluster for {@code cm-zebra7secret}). Since then the loader refuses the sensitive name,
 * and, with the variable no longer sensitive, the plan refused the ConfigMap as "exists, not managed by meshform ... the
 * state forgot it", offering an import the state refused ("already in the state"). Now the plan finds it by the name
 * the stack gives, whose digest is the recorded one, and apply records it by name; destroy then deletes it. Drift, which
 * said "deleted outside meshform", reads it by that name too.
 */
@LiveClusterTest
class DigestedNameIT {
    private static final String NAME = "cm-zebra7secret";
    private static final String DIGEST = "sha256:e8c502749f79d3f9ee84a87dad559b69b8ee2bd438ec84355b1458d04daf7c25";

    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    private Result meshform(ClusterContext cluster, Path stack, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-f", stack.toString(), "--state", dir.resolve("digested.state.json").toString(),
                "--kubeconfig", cluster.kubeconfigPath().toString(), "--istioctl", cluster.istioctl().toString(),
                "--no-color"));
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false),
                all.toArray(String[]::new));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The stack of one ConfigMap {@link #NAME} in {@code ns}, applied; its state entry then records the name as DIGEST. */
    private Path appliedWithADigestedName(ClusterContext cluster, String ns) throws IOException {
        Path stack = dir.resolve("meshform.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: ident}
                resources:
                  - type: kubernetes.manifest
                    name: cm
                    spec:
                      manifest:
                        apiVersion: v1
                        kind: ConfigMap
                        metadata: {name: %s, namespace: %s}
                        data: {k: v}
                """.formatted(NAME, ns));
        Result applied = meshform(cluster, stack, "apply", "--auto-approve");
        assertEquals(0, applied.code(), applied.out() + applied.err());
        Path state = dir.resolve("digested.state.json");
        String recorded = Files.readString(state);
        assertTrue(recorded.contains("\"name\" : \"" + NAME + "\"") || recorded.contains("\"name\": \"" + NAME + "\""), recorded);
        // As the build before 9f7161cd recorded it.
        Files.writeString(state, recorded.replace("\"" + NAME + "\"", "\"" + DIGEST + "\""));
        return stack;
    }

    @Test
    void theNameNoLongerSensitiveFindsTheObjectAndApplyRecordsItByName(ClusterContext cluster) throws IOException {
        String ns = cluster.newNamespace();
        Path stack = appliedWithADigestedName(cluster, ns);
        Path state = dir.resolve("digested.state.json");

        // Drift said "deleted outside meshform" of the ConfigMap that was there.
        Result drift = meshform(cluster, stack, "drift");
        assertEquals(0, drift.code(), drift.out() + drift.err());
        assertTrue(drift.out().startsWith("No drift. 1 resource matches what meshform applied."), drift.out());

        Result plan = meshform(cluster, stack, "plan", "--detailed-exitcode");
        assertEquals(2, plan.code(), plan.out() + plan.err());
        assertTrue(plan.out().contains("# kubernetes.manifest.cm will be recorded in state; nothing changes in the cluster"
                + " (in the cluster as declared, but its state entry is out of date (spec)"), plan.out());
        assertTrue(plan.out().contains("Plan: 0 to add, 0 to change, 0 to destroy, 1 to record."), plan.out());

        Result record = meshform(cluster, stack, "apply", "--auto-approve");
        assertEquals(0, record.code(), record.out() + record.err());
        assertTrue(Files.readString(state).contains(NAME) && !Files.readString(state).contains(DIGEST), Files.readString(state));
        assertEquals(0, meshform(cluster, stack, "plan", "--detailed-exitcode").code());

        assertNotNull(cluster.client().configMaps().inNamespace(ns).withName(NAME).get());
        Result destroy = meshform(cluster, stack, "destroy", "--auto-approve");
        assertEquals(0, destroy.code(), destroy.out() + destroy.err());
        assertNull(cluster.client().configMaps().inNamespace(ns).withName(NAME).get(), "destroy deleted it");
    }

    /** state rm's way back said `meshform import ... NS/sha256:...`, an ID that names no object. */
    @Test
    void stateRmOffersTheImportOfTheNameInClear(ClusterContext cluster) throws IOException {
        String ns = cluster.newNamespace();
        Path stack = appliedWithADigestedName(cluster, ns);
        Result rm = meshform(cluster, stack, "state", "rm", "kubernetes.manifest.cm");
        assertEquals(0, rm.code(), rm.out() + rm.err());
        assertTrue(rm.out().contains("to manage it again, `meshform import -f " + stack + " kubernetes.manifest.cm " + ns
                + "/" + NAME + "`"), rm.out());
        Result imported = meshform(cluster, stack, "import", "kubernetes.manifest.cm", ns + "/" + NAME);
        assertEquals(0, imported.code(), imported.out() + imported.err());
        assertEquals(0, meshform(cluster, stack, "plan", "--detailed-exitcode").code());
    }
}

package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * An install applied with a sensitive meshConfig value that the stack no longer gives (the variable and the field
 * removed), on the live cluster with the real istioctl: the state knows the applied value by its digest alone, so
 * drift cannot check what it reaches and says so (it said "changed outside meshform" of an install exactly as
 * applied), plan shows the value removed, and no output, report or state holds the value.
 */
@LiveClusterTest
class RemovedSensitiveValueIT {
    private static final String APPLIED = "Applied-T0ken-3f9a60";

    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    private Result meshform(ClusterContext cluster, Path stack, Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-f", stack.toString(), "--state", dir.resolve("removed.state.json").toString(),
                "--kubeconfig", cluster.kubeconfigPath().toString(), "--istioctl", cluster.istioctl().toString()));
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), env, false),
                all.toArray(String[]::new));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void clean(String where, String text) {
        assertFalse(text.contains(APPLIED), where + " shows the applied value:\n" + text);
    }

    private static void noIstio(ClusterContext cluster) throws IOException, InterruptedException {
        NoIstio.uninstall(cluster);
    }

    @Test
    void aSensitiveValueTheStackNoLongerGivesIsNotCheckedAndPlanRemovesIt(ClusterContext cluster)
            throws IOException, InterruptedException {
        noIstio(cluster);
        String version = io.meshform.testkit.Testbed.versions().get("ISTIO_VERSION");
        Path with = dir.resolve("with.yaml");
        Files.writeString(with, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: removed-mesh}
                variables:
                  token: {type: string, sensitive: true}
                resources:
                  - type: istio.install
                    name: mesh
                    spec:
                      version: "%s"
                      profile: default
                      meshConfig:
                        defaultConfig:
                          proxyMetadata: {AUTH_TOKEN: "${var.token}"}
                """.formatted(version));
        Path without = dir.resolve("without.yaml");
        Files.writeString(without, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: removed-mesh}
                resources:
                  - type: istio.install
                    name: mesh
                    spec:
                      version: "%s"
                      profile: default
                """.formatted(version));
        Result apply = meshform(cluster, with, Map.of("MESHFORM_VAR_token", APPLIED), "apply", "--auto-approve");
        assertEquals(0, apply.code(), apply.out() + apply.err());

        Result drift = meshform(cluster, without, Map.of(), "drift");
        assertEquals(0, drift.code(), "the cluster is as applied:\n" + drift.out() + drift.err());
        assertTrue(drift.out().startsWith("No drift in what was checked of the 1 applied resource; 1 resource is not"
                + " checked in full.\n"), drift.out());
        assertTrue(drift.out().contains("? istio.install.mesh: the stack no longer gives meshConfig.defaultConfig"
                + ".proxyMetadata.AUTH_TOKEN, applied as a sensitive value the state records only by its digest; apply,"
                + " which removes it, then drift can check it"), drift.out());
        assertTrue(drift.out().contains("? ConfigMap istio-system/istio (mesh.defaultConfig.proxyMetadata.AUTH_TOKEN)"), drift.out());
        assertFalse(drift.out().contains("changed outside meshform"), drift.out());
        clean("drift", drift.out() + drift.err());
        Path report = dir.resolve("removed-drift.json");
        Result pending = meshform(cluster, without, Map.of(), "drift", "--fail-on-pending", "--format", "json",
                "--output", report.toString());
        assertEquals(2, pending.code(), pending.out() + pending.err());
        clean("drift --fail-on-pending json", Files.readString(report) + pending.out() + pending.err());

        // A hand change to a part the value does not reach is still drift.
        cluster.client().configMaps().inNamespace("istio-system").withName("istio").edit(c -> {
            c.getData().put("mesh", c.getData().get("mesh").replace("enablePrometheusMerge: true", "enablePrometheusMerge: false"));
            return c;
        });
        Result changed = meshform(cluster, without, Map.of(), "drift");
        assertEquals(2, changed.code(), changed.out() + changed.err());
        assertTrue(changed.out().contains("~ ConfigMap istio-system/istio (mesh.enablePrometheusMerge)"), changed.out());
        assertFalse(changed.out().contains("~ ConfigMap istio-system/istio (mesh.defaultConfig"), changed.out());

        // What drift says apply does: plan removes the value, masked.
        Result plan = meshform(cluster, without, Map.of(), "plan", "--detailed-exitcode");
        assertEquals(2, plan.code(), plan.out() + plan.err());
        assertTrue(plan.out().contains("# istio.install.mesh will be updated in-place"), plan.out());
        assertTrue(plan.out().contains("-      AUTH_TOKEN: (sensitive)"), plan.out());
        clean("plan", plan.out() + plan.err() + Files.readString(dir.resolve("removed.state.json")));

        Result remove = meshform(cluster, without, Map.of(), "apply", "--auto-approve");
        assertEquals(0, remove.code(), remove.out() + remove.err());
        Result after = meshform(cluster, without, Map.of(), "drift");
        assertEquals(0, after.code(), after.out() + after.err());
        assertTrue(after.out().startsWith("No drift. 1 resource matches what meshform applied."), after.out());
        assertFalse(cluster.client().configMaps().inNamespace("istio-system").withName("istio").get().getData().get("mesh")
                .contains("AUTH_TOKEN"));
    }

    /**
     * Two removed sensitive values of different types, a text and a boolean: one probe type for both rendered with none
     * (istioctl refuses text in a boolean field), and drift failed. Each is probed with its own type now.
     */
    @Test
    void removedSensitiveValuesOfDifferentTypesAreNotCheckedAndNothingFails(ClusterContext cluster)
            throws IOException, InterruptedException {
        noIstio(cluster);
        String version = io.meshform.testkit.Testbed.versions().get("ISTIO_VERSION");
        Path with = dir.resolve("mixed.yaml");
        Files.writeString(with, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: removed-mesh}
                variables:
                  token: {type: string, sensitive: true}
                  merge: {type: bool, sensitive: true}
                resources:
                  - type: istio.install
                    name: mesh
                    spec:
                      version: "%s"
                      profile: default
                      meshConfig:
                        enablePrometheusMerge: "${var.merge}"
                        defaultConfig:
                          proxyMetadata: {AUTH_TOKEN: "${var.token}"}
                """.formatted(version));
        Path without = dir.resolve("mixed-without.yaml");
        Files.writeString(without, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: removed-mesh}
                resources:
                  - type: istio.install
                    name: mesh
                    spec:
                      version: "%s"
                      profile: default
                """.formatted(version));
        Result apply = meshform(cluster, with, Map.of("MESHFORM_VAR_token", APPLIED, "MESHFORM_VAR_merge", "false"),
                "apply", "--auto-approve");
        assertEquals(0, apply.code(), apply.out() + apply.err());

        Result drift = meshform(cluster, without, Map.of(), "drift");
        assertEquals(0, drift.code(), "the cluster is as applied:\n" + drift.out() + drift.err());
        assertTrue(drift.out().contains("? istio.install.mesh: the stack no longer gives meshConfig.defaultConfig"
                + ".proxyMetadata.AUTH_TOKEN, meshConfig.enablePrometheusMerge, applied as sensitive values the state"
                + " records only by their digests"), drift.out());
        assertTrue(drift.out().contains("mesh.enablePrometheusMerge"), drift.out());
        assertFalse(drift.out().contains("changed outside meshform"), drift.out());
        clean("drift", drift.out() + drift.err());
    }

    /**
     * The release given by a sensitive variable: drift's proxy-version-skew check read the state's digest as the
     * release, and no release is no lagging sidecar; then it said it could not judge the version even while the stack
     * gave the very release applied. Drift's checks judge that release now (its digest is the recorded one), and no
     * output or report quotes it.
     */
    @Test
    void aVersionGivenBySensitiveVariableIsJudgedByTheChecksWhileTheStackGivesIt(ClusterContext cluster)
            throws IOException, InterruptedException {
        noIstio(cluster);
        String version = io.meshform.testkit.Testbed.versions().get("ISTIO_VERSION");
        Path stack = dir.resolve("release.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: release-mesh}
                variables:
                  release: {type: string, sensitive: true}
                resources:
                  - type: istio.install
                    name: mesh
                    spec: {version: "${var.release}", profile: default}
                """);
        Map<String, String> env = Map.of("MESHFORM_VAR_release", version);
        Result apply = meshform(cluster, stack, env, "apply", "--auto-approve");
        assertEquals(0, apply.code(), apply.out() + apply.err());
        Path report = dir.resolve("release-drift.json");
        Result drift = meshform(cluster, stack, env, "drift", "--format", "json", "--output", report.toString());
        assertEquals(0, drift.code(), drift.out() + drift.err());
        String json = Files.readString(report);
        assertFalse(json.contains("cannot judge"), json);
        assertFalse(json.contains(version), json);
        Result text = meshform(cluster, stack, env, "drift");
        assertEquals(0, text.code(), text.out() + text.err());
        assertFalse(text.out().contains("cannot judge"), text.out());
        assertFalse((text.out() + text.err()).contains(version), text.out() + text.err());
    }

    /**
     * An auth proxy named by a sensitive variable, with failOpen on: drift's auth proxy checks said they could not judge
     * the name while the stack gave the very name applied. They judge it now, and say so without the name; once the
     * stack gives another name, not applied yet, they say they cannot judge it and that applying lets them.
     */
    @Test
    void anAuthProxyNamedBySensitiveVariableIsJudgedWithoutItsName(ClusterContext cluster)
            throws IOException, InterruptedException {
        noIstio(cluster);
        String version = io.meshform.testkit.Testbed.versions().get("ISTIO_VERSION");
        Path stack = dir.resolve("proxy.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: proxy-mesh}
                variables:
                  proxy: {type: string, sensitive: true}
                resources:
                  - type: istio.install
                    name: mesh
                    spec:
                      version: "%s"
                      profile: default
                      extAuthz:
                        - {name: "${var.proxy}", service: auth-proxy.default.svc.cluster.local, port: 8080, timeout: 5s,
                           failOpen: true}
                """.formatted(version));
        String name = "proxy-name-9c4e21";
        Result apply = meshform(cluster, stack, Map.of("MESHFORM_VAR_proxy", name), "apply", "--auto-approve");
        assertEquals(0, apply.code(), apply.out() + apply.err());
        Path report = dir.resolve("proxy-drift.json");
        Result drift = meshform(cluster, stack, Map.of("MESHFORM_VAR_proxy", name), "drift", "--format", "json",
                "--output", report.toString());
        assertEquals(2, drift.code(), "failOpen is a finding:\n" + drift.out() + drift.err());
        String json = Files.readString(report);
        assertTrue(json.contains("istio.install.mesh: auth proxy (sensitive): failOpen lets requests through"), json);
        assertTrue(json.contains("no CUSTOM policy sends requests to provider (sensitive)"), json);
        assertFalse(json.contains("cannot judge"), json);
        assertFalse((json + drift.out() + drift.err()).contains(name), json);

        Result rotated = meshform(cluster, stack, Map.of("MESHFORM_VAR_proxy", "rotated-proxy-77"), "drift");
        assertTrue(rotated.out().contains("istio.install.mesh: cannot judge whether a CUSTOM policy uses the auth proxy at"
                + " extAuthz[0]: its name was applied as a sensitive value"), rotated.out());
        assertTrue(rotated.out().contains("the stack gives another value there, not applied yet: apply the stack, then"
                + " drift's checks judge the value applied"), rotated.out());
        assertFalse((rotated.out() + rotated.err()).contains("rotated-proxy-77"), rotated.out());
    }
}

package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * A plan saved where no state existed has no lineage or serial to bind it: `plan --context staging --out p` and then
 * `apply --context production p` (each context has its own local state file, neither there yet) applied the plan
 * reviewed for staging to production. The plan now records where its state lies, and apply refuses another one; the
 * same holds for --state and --state-secret, which this test uses (one cluster, two state files).
 */
@LiveClusterTest
class SavedPlanOtherStateIT {
    @TempDir
    Path dir;

    @Test
    void aPlanMadeWithoutStateIsRefusedForAnotherState(ClusterContext cluster) throws IOException {
        String ns = cluster.newNamespace();
        Path stack = dir.resolve("meshform.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: other-state}
                resources:
                  - type: kubernetes.manifest
                    name: cm
                    spec:
                      manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: cm, namespace: %s}, data: {a: b}}
                """.formatted(ns));
        Path planFile = dir.resolve("staging.plan");
        Path staging = dir.resolve("staging.state.json");
        Path production = dir.resolve("production.state.json");
        LiveRun plan = LiveRun.of(cluster, stack, "plan", "--no-analyze", "--state", staging.toString(), "--out", planFile.toString());
        assertEquals(0, plan.code(), plan.out());

        LiveRun refused = LiveRun.of(cluster, stack, "apply", "--no-analyze", "--state", production.toString(), planFile.toString());
        assertEquals(1, refused.code(), refused.out());
        assertTrue(refused.out().contains("wrong state: " + planFile + " was made where no state existed yet, for the state"
                + " in local file staging.state.json beside the stack file, and this run's state is local file"
                + " production.state.json beside the stack file; nothing was applied."), refused.out());
        assertNull(cluster.client().configMaps().inNamespace(ns).withName("cm").get(), "nothing was applied");
        assertFalse(Files.exists(production) || Files.exists(dir.resolve("production.state.json.lock")), "nothing was written");

        LiveRun applied = LiveRun.of(cluster, stack, "apply", "--no-analyze", "--state", staging.toString(), planFile.toString());
        assertEquals(0, applied.code(), applied.out());
        assertNotNull(cluster.client().configMaps().inNamespace(ns).withName("cm").get());
    }

    /**
     * Two clusters' state Secrets of one namespace and name were the same location, so a plan made with staging's
     * kubeconfig before its state existed was applied with production's. The location now names the cluster by its
     * CA certificate: the same cluster's CA given as a file (another machine's kubeconfig) is the same cluster; a
     * kubeconfig that names no CA it checks (here the same server with TLS checks off, standing in for a second
     * cluster, which this test bed has not) is not.
     */
    @Test
    void aPlanMadeWithoutAKubernetesStateIsRefusedForAnotherCluster(ClusterContext cluster) throws IOException {
        String ns = cluster.newNamespace();
        Path stack = dir.resolve("meshform.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: other-cluster}
                resources:
                  - type: kubernetes.manifest
                    name: cm
                    spec:
                      manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: cm, namespace: %s}, data: {a: b}}
                """.formatted(ns));
        String secret = ns + "/staging";
        Path planFile = dir.resolve("staging.plan");
        LiveRun plan = LiveRun.of(cluster, stack, "plan", "--no-analyze", "--state-secret", secret, "--out", planFile.toString());
        assertEquals(0, plan.code(), plan.out());

        YAMLMapper yaml = new YAMLMapper();
        ObjectNode other = (ObjectNode) yaml.readTree(cluster.kubeconfigPath().toFile());
        for (JsonNode c : other.get("clusters")) {
            ObjectNode entry = (ObjectNode) c.get("cluster");
            entry.remove("certificate-authority-data");
            entry.put("insecure-skip-tls-verify", true);
        }
        Path otherKubeconfig = dir.resolve("other.kubeconfig");
        yaml.writeValue(otherKubeconfig.toFile(), other);
        LiveRun refused = LiveRun.exactly("apply", "--no-analyze", "--state-secret", secret, planFile.toString(),
                "-f", stack.toString(), "--kubeconfig", otherKubeconfig.toString());
        assertEquals(1, refused.code(), refused.out());
        String secretName = "Kubernetes Secret " + ns + "/meshform-state-staging";
        assertTrue(refused.out().matches("(?s).*wrong state: " + java.util.regex.Pattern.quote(planFile.toString())
                + " was made where no state existed yet, for the state in " + java.util.regex.Pattern.quote(secretName)
                + " of the cluster whose CA certificate is sha256:[0-9a-f]{16}, and this run's state is "
                + java.util.regex.Pattern.quote(secretName) + " of the cluster at https://[^ ]+; nothing was applied.*"),
                refused.out());
        assertNull(cluster.client().configMaps().inNamespace(ns).withName("cm").get(), "nothing was applied");
        assertNull(cluster.client().secrets().inNamespace(ns).withName("meshform-state-staging").get(), "nothing was written");

        ObjectNode caAsFile = (ObjectNode) yaml.readTree(cluster.kubeconfigPath().toFile());
        for (JsonNode c : caAsFile.get("clusters")) {
            ObjectNode entry = (ObjectNode) c.get("cluster");
            Path ca = Files.write(dir.resolve("ca-" + c.get("name").asString() + ".crt"),
                    java.util.Base64.getDecoder().decode(entry.remove("certificate-authority-data").asString()));
            entry.put("certificate-authority", ca.toString());
        }
        Path sameCluster = dir.resolve("same.kubeconfig");
        yaml.writeValue(sameCluster.toFile(), caAsFile);
        LiveRun applied = LiveRun.exactly("apply", "--no-analyze", "--state-secret", secret, planFile.toString(),
                "-f", stack.toString(), "--kubeconfig", sameCluster.toString());
        assertEquals(0, applied.code(), applied.out());
        assertNotNull(cluster.client().configMaps().inNamespace(ns).withName("cm").get());
    }
}

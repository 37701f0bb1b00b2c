package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A labels destroy with {@code restartWorkloads: true} killed after it removed {@code istio-injection} and before its
 * restarts were done: the state still records the labels, and the next apply's delete found the label already gone.
 * Judged from the live labels alone, injection did not change, so that delete restarted nothing, while its plan
 * promised the restarts, and the pods kept the sidecars of a namespace that no longer injects (the resource then gone
 * from the state, every later plan said "No changes"). On the real cluster, with Istio's injector (the test bed's istiod)
 * and kwok's pods.
 */
@LiveClusterTest
class InterruptedRestartsIT {
    private static final List<String> WORKLOADS = List.of("api", "web", "db", "cache");

    @TempDir
    Path dir;

    @Test
    void theRestartsOfALabelsDestroyKilledHalfWayAreDoneByTheNextApply(ClusterContext cluster) throws Exception {
        defaultIstio(cluster);
        KubernetesClient c = cluster.client();
        String ns = cluster.newNamespace();
        WORKLOADS.forEach(name -> deployment(c, ns, name));
        Path stack = dir.resolve("meshform.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: restarts}
                resources:
                  - type: kubernetes.labels
                    name: inject
                    spec: {kind: Namespace, name: %s, labels: {istio-injection: enabled}, restartWorkloads: true,
                           restartTimeoutSeconds: 90}
                """.formatted(ns));
        LiveRun labelled = LiveRun.of(cluster, stack, "apply", "--auto-approve", "--no-analyze");
        assertEquals(0, labelled.code(), labelled.out());
        assertEquals(8, running(c, ns).stream().filter(InterruptedRestartsIT::hasSidecar).count(), labelled.out());

        Files.writeString(stack, "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: restarts}\nresources: []\n");
        // the destroy names the workloads it restarts, as an update of the labels does (it named none)
        LiveRun first = LiveRun.of(cluster, stack, "plan", "--no-analyze");
        assertTrue(first.out().contains("sidecar injection turns off for namespace " + ns + "; 8 running pod(s) stay with a"
                + " sidecar until they restart:"), first.out());
        WORKLOADS.forEach(w -> assertTrue(first.out().contains("Deployment " + ns + "/" + w + " (2 pods)"), first.out()));
        assertTrue(first.out().contains("restartWorkloads: apply restarts 4 workload(s) one at a time"), first.out());
        String killed = killNineAtFirstRestart(stack, cluster);
        assertFalse(c.namespaces().withName(ns).get().getMetadata().getLabels().containsKey("istio-injection"), killed);
        assertTrue(running(c, ns).stream().filter(InterruptedRestartsIT::hasSidecar).count() >= 6,
                "the killed delete restarted at most the first workload: " + killed);
        assertTrue(Files.readString(dir.resolve("meshform.state.json")).contains("kubernetes.labels.inject")
                || Files.readString(dir.resolve("meshform.state.json.journal")).contains("kubernetes.labels.inject"),
                "the state still records the labels");

        LiveRun plan = LiveRun.of(cluster, stack, "plan", "--no-analyze");
        assertTrue(plan.out().contains("# kubernetes.labels.inject will be destroyed"), plan.out());
        assertTrue(plan.out().contains("restartWorkloads: if it does, the delete restarts, one at a time, each workload"
                + " whose running pods keep the old sidecar state"), plan.out());
        // the retried delete names what is still to do: the label is gone already, the pods with a sidecar are not
        assertTrue(plan.out().contains("sidecar injection turns off for namespace " + ns + "; "), plan.out());
        List<String> owed = running(c, ns).stream().filter(InterruptedRestartsIT::hasSidecar)
                .map(p -> p.getMetadata().getOwnerReferences().get(0).getName().replaceFirst("-[^-]+$", "")).distinct().toList();
        assertTrue(owed.size() >= 3, owed.toString());
        owed.forEach(w -> assertTrue(plan.out().contains("Deployment " + ns + "/" + w + " ("), w + ": " + plan.out()));

        LiveRun destroyed = LiveRun.of(cluster, stack, "apply", "--auto-approve", "--no-analyze");
        assertEquals(0, destroyed.code(), destroyed.out());
        assertTrue(destroyed.out().contains("kubernetes.labels.inject: restarting Deployment " + ns + "/"), destroyed.out());
        List<String> withSidecar = running(c, ns).stream().filter(InterruptedRestartsIT::hasSidecar)
                .map(p -> p.getMetadata().getName()).toList();
        assertEquals(List.of(), withSidecar, "pods keep the sidecar of a namespace that no longer injects: " + destroyed.out());

        LiveRun settled = LiveRun.of(cluster, stack, "plan", "--no-analyze", "--detailed-exitcode");
        assertEquals(0, settled.code(), settled.out());
    }

    /**
     * The same kill in a change that turns injection on (the labels' first apply, so the state records nothing yet):
     * the next plan finds the restarts still owed from the pods that predate the label write, and its apply does them.
     */
    @Test
    void theRestartsOfALabelsChangeKilledHalfWayArePlannedAndDone(ClusterContext cluster) throws Exception {
        defaultIstio(cluster);
        KubernetesClient c = cluster.client();
        String ns = cluster.newNamespace();
        WORKLOADS.forEach(name -> deployment(c, ns, name));
        Thread.sleep(1100); // creation and managedFields times have one-second resolution
        Path stack = Files.writeString(dir.resolve("meshform.yaml"), """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: restarts}
                resources:
                  - type: kubernetes.labels
                    name: inject
                    spec: {kind: Namespace, name: %s, labels: {istio-injection: enabled}, restartWorkloads: true,
                           restartTimeoutSeconds: 90}
                """.formatted(ns));
        String killed = killNineAtFirstRestart(stack, cluster);
        assertEquals("enabled", c.namespaces().withName(ns).get().getMetadata().getLabels().get("istio-injection"), killed);
        assertTrue(running(c, ns).stream().filter(p -> !hasSidecar(p)).count() >= 6, killed);

        LiveRun plan = LiveRun.of(cluster, stack, "plan", "--no-analyze");
        assertTrue(plan.out().contains("# kubernetes.labels.inject will be updated in-place"), plan.out());
        assertTrue(plan.out().contains("workload(s) still run pods from before the injection change"), plan.out());

        LiveRun applied = LiveRun.of(cluster, stack, "apply", "--auto-approve", "--no-analyze");
        assertEquals(0, applied.code(), applied.out());
        assertEquals(List.of(), running(c, ns).stream().filter(p -> !hasSidecar(p)).map(p -> p.getMetadata().getName())
                .toList(), "pods stay without the sidecar of a namespace that injects: " + applied.out());
        LiveRun settled = LiveRun.of(cluster, stack, "plan", "--no-analyze", "--detailed-exitcode");
        assertEquals(0, settled.code(), settled.out());
    }

    /** Runs the apply in a JVM of its own and kills it (SIGKILL) once it starts restarting; what it printed. */
    private static String killNineAtFirstRestart(Path stack, ClusterContext cluster) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                "io.meshform.cli.Main", "apply", "--auto-approve", "--no-analyze", "-f", stack.toString(),
                "--kubeconfig", cluster.kubeconfigPath().toString())).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                out.append(line).append('\n');
                if (line.contains("restarting Deployment")) {
                    // kill(1), not destroyForcibly, which also closes the stream read here
                    new ProcessBuilder("kill", "-KILL", String.valueOf(p.pid())).start().waitFor();
                }
            }
        }
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), out.toString());
        assertEquals(137, p.exitValue(), out.toString());
        return out.toString();
    }

    /** Istio's default revision, installed by istioctl unless an earlier test left it, served by the test bed's istiod. */
    private static void defaultIstio(ClusterContext cluster) throws Exception {
        var istiod = cluster.client().apps().deployments().inNamespace("istio-system").withName("istiod").get();
        if (istiod == null || istiod.getMetadata().getDeletionTimestamp() != null) {
            Process p = new ProcessBuilder(cluster.istioctl().toString(), "install", "-y", "--set", "profile=default",
                    "--kubeconfig", cluster.kubeconfigPath().toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(3, TimeUnit.MINUTES) && p.exitValue() == 0, "istioctl install failed:\n" + out);
        }
        cluster.awaitIstiod("default", Duration.ofSeconds(90));
    }

    private static void deployment(KubernetesClient c, String ns, String name) {
        c.apps().deployments().inNamespace(ns).resource(new DeploymentBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("registry.k8s.io/pause:3.10").endContainer()
                .endSpec().endTemplate().endSpec().build()).create();
        c.apps().deployments().inNamespace(ns).withName(name).waitUntilCondition(d -> d != null && d.getStatus() != null
                && Integer.valueOf(2).equals(d.getStatus().getAvailableReplicas()), 90, TimeUnit.SECONDS);
    }

    /** The namespace's pods not on their way out. */
    private static List<Pod> running(KubernetesClient c, String ns) {
        return c.pods().inNamespace(ns).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    private static boolean hasSidecar(Pod p) {
        return p.getSpec().getContainers().stream().anyMatch(x -> x.getName().equals("istio-proxy"))
                || p.getSpec().getInitContainers().stream().anyMatch(x -> x.getName().equals("istio-proxy"));
    }
}

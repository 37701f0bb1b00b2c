package io.meshform.providers.istio.injection;

import io.meshform.providers.ChangeAssert;
import static io.meshform.providers.TestSpecs.decl;
import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.Environment;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.PlanCheck;
import io.meshform.providers.DefaultIstio;
import io.meshform.providers.Harness;
import io.meshform.providers.TestSpecs;
import io.meshform.providers.istio.injection.WorkloadRestarter;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Turning injection on for a namespace with running pods, on the real API server. kwok makes the new pods Ready; the
 * test bed's istiod (Istio's injection webhook) gives the restarted pods their sidecar, so the mesh check that
 * reports running pods without one has nothing left to say.
 */
@LiveClusterTest
class WorkloadRestartIT {

    private static Deployment deployment(KubernetesClient c, String ns, String name) {
        Deployment d = new DeploymentBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("registry.k8s.io/pause:3.10").endContainer().endSpec()
                .endTemplate().endSpec().build();
        c.apps().deployments().inNamespace(ns).resource(d).create();
        return c.apps().deployments().inNamespace(ns).withName(name).waitUntilCondition(
                x -> x != null && x.getStatus() != null && Integer.valueOf(2).equals(x.getStatus().getAvailableReplicas()),
                90, TimeUnit.SECONDS);
    }

    private static Deployment get(KubernetesClient c, String ns, String name) {
        return c.apps().deployments().inNamespace(ns).withName(name).get();
    }

    @Test
    void enablingInjectionWithRestartWorkloadsRestartsAndWaitsForTheRollout(ClusterContext cluster) {
        DefaultIstio.ensure(cluster);
        String ns = cluster.newNamespace();
        KubernetesClient c = cluster.client();
        deployment(c, ns, "api");
        long generation = get(c, ns, "api").getMetadata().getGeneration();
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of())) {
            var spec = yaml("kind: Namespace\nname: " + ns + "\nlabels: {istio-injection: enabled}\nrestartWorkloads: true\n"
                    + "restartTimeoutSeconds: 90\n");
            var plan = h.plan("kubernetes.labels.inject", spec);
            assertEquals(Action.UPDATE, plan.action());
            ChangeAssert.assertChange(plan).notes("  Deployment " + ns + "/api (2 pods)");
            assertTrue(plan.details().stream().anyMatch(d -> d.text().startsWith("sidecar requests for 2 pod(s) in " + ns
                    + ": 200m CPU, 256Mi memory")), plan.details().toString());
            assertEquals(List.of(), plan.warnings());

            h.apply("kubernetes.labels.inject", spec);
            Deployment after = get(c, ns, "api");
            String restartedAt = after.getSpec().getTemplate().getMetadata().getAnnotations().get(WorkloadRestarter.RESTARTED_AT);
            assertNotNull(restartedAt, "the pod template carries kubectl's restart annotation");
            assertTrue(after.getMetadata().getGeneration() > generation);
            assertTrue(after.getStatus().getObservedGeneration() >= after.getMetadata().getGeneration());
            assertEquals(2, after.getStatus().getUpdatedReplicas());
            assertEquals(2, after.getStatus().getAvailableReplicas());
            assertTrue(h.progress.contains("Deployment " + ns + "/api: rollout complete"), h.progress.toString());

            // Istio's injector gave the restarted pods their sidecar, so the mesh check finds no pod without one.
            var pods = c.pods().inNamespace(ns).withLabel("app", "api").list().getItems().stream()
                    .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
            assertEquals(2, pods.size(), pods.toString());
            for (var p : pods) {
                assertTrue(p.getSpec().getContainers().stream().anyMatch(x -> x.getName().equals("istio-proxy"))
                        || p.getSpec().getInitContainers().stream().anyMatch(x -> x.getName().equals("istio-proxy")),
                        "restarted pod " + p.getMetadata().getName() + " has the injected sidecar");
            }
            ResourceDecl d = decl("kubernetes.labels.inject", "kind: Namespace\nname: " + ns + "\nlabels: {istio-injection: enabled}\n");
            PlanCheck check = h.types.checks().stream().filter(x -> x.name().equals("injection-without-sidecars")).findFirst().orElseThrow();
            List<Diagnostic> found = check.check(new CheckContext(TestSpecs.stack(Environment.STAGING, d),
                    Map.<ResourceAddress, JsonNode>of(d.address(), d.spec())));
            assertEquals(List.of(), found, "every running pod has its sidecar");

            // Re-applying the same labels restarts nothing: injection does not change any more.
            assertEquals(Action.NOOP, h.plan("kubernetes.labels.inject", spec).action());
        }
    }

    /**
     * Restarts still owed after the labels were applied (a restart that failed or was interrupted, or restartWorkloads
     * turned on afterwards): the next plan finds the pods that predate the label change, and apply restarts them.
     */
    @Test
    void restartsStillOwedAreFoundByTheNextPlanAndDone(ClusterContext cluster) throws InterruptedException {
        String ns = cluster.newNamespace();
        KubernetesClient c = cluster.client();
        deployment(c, ns, "worker");
        Thread.sleep(1100); // creation and managedFields times have one-second resolution
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of())) {
            var labelsOnly = yaml("kind: Namespace\nname: " + ns + "\nlabels: {istio-injection: enabled}\n");
            h.apply("kubernetes.labels.inject", labelsOnly);
            var withRestart = yaml("kind: Namespace\nname: " + ns + "\nlabels: {istio-injection: enabled}\nrestartWorkloads: true\n"
                    + "restartTimeoutSeconds: 90\n");
            var plan = h.plan("kubernetes.labels.inject", withRestart);
            assertEquals(Action.UPDATE, plan.action(), plan.reason());
            assertTrue(plan.reason().contains("1 workload(s) still run pods from before the injection change"), plan.reason());
            ChangeAssert.assertChange(plan).notes("  Deployment " + ns + "/worker (2 pods)");

            h.apply("kubernetes.labels.inject", withRestart, plan.privateData());
            var annotations = get(c, ns, "worker").getSpec().getTemplate().getMetadata().getAnnotations();
            assertTrue(annotations != null && annotations.containsKey(WorkloadRestarter.RESTARTED_AT), "the owed restart is done");
            var settled = h.plan("kubernetes.labels.inject", withRestart);
            assertEquals(Action.NOOP, settled.action(), settled.reason() + " " + settled.details());
        }
    }

    /**
     * A namespace moved to a revision nothing installed: no webhook of the test bed's istiod selects it, so Istio's injector
     * gives its new pods no sidecar, and the plan says injection turns off and names the missing revision.
     */
    @Test
    void movingANamespaceToARevisionThatIsNotInstalledTurnsInjectionOff(ClusterContext cluster) {
        DefaultIstio.ensure(cluster);
        String ns = cluster.newNamespace();
        KubernetesClient c = cluster.client();
        deployment(c, ns, "api");
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of())) {
            h.apply("kubernetes.labels.inject", yaml("kind: Namespace\nname: " + ns + "\nlabels: {istio-injection: enabled}\n"
                    + "restartWorkloads: true\nrestartTimeoutSeconds: 90\n"));
            assertTrue(c.pods().inNamespace(ns).withLabel("app", "api").list().getItems().stream()
                    .allMatch(p -> Sidecars.hasSidecar(LivePods.of(p))), "injected by the default revision");
            var moved = yaml("kind: Namespace\nname: " + ns + "\nlabels: {istio.io/rev: 1-31}\nrestartWorkloads: true\n"
                    + "restartTimeoutSeconds: 90\n");
            var plan = h.plan("kubernetes.labels.inject", moved);
            assertEquals(Action.UPDATE, plan.action());
            String lines = String.join("\n", ChangeAssert.lines(plan.details()));
            assertTrue(plan.details().stream().anyMatch(d -> d.text().equals("sidecar injection turns off for namespace " + ns
                    + "; 2 running pod(s) stay with a sidecar until they restart:")), lines);
            assertTrue(plan.warnings().stream().anyMatch(w -> w.startsWith("namespace " + ns + ": istio.io/rev=1-31 names no"
                    + " installed Istio revision or tag (installed: revision default") && w.contains("its new pods get no sidecar")),
                    plan.warnings().toString());
            h.apply("kubernetes.labels.inject", moved, plan.privateData());
            var pods = c.pods().inNamespace(ns).withLabel("app", "api").list().getItems().stream()
                    .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
            assertFalse(pods.isEmpty());
            assertTrue(pods.stream().noneMatch(p -> Sidecars.hasSidecar(LivePods.of(p))),
                    "Istio's injector gave the restarted pods no sidecar: " + pods.stream().map(p -> p.getMetadata().getName()).toList());
        }
    }

    /**
     * Pods a namespace's istio.io/rev got injected carry their revision in the injector's status annotation, not in a
     * label: moving that namespace back to the default revision lists them, as the pods istio's own injector made.
     */
    @Test
    void movingANamespaceFromARevisionBackToTheDefaultListsThePodsThatRevisionInjected(ClusterContext cluster) {
        DefaultIstio.ensure(cluster);
        KubernetesClient c = cluster.client();
        var istioctl = new io.meshform.providers.istio.core.Istioctl(cluster.istioctl().toString(), "test",
                cluster.kubeconfigPath().toString(), null);
        if (c.apps().deployments().inNamespace("istio-system").withName("istiod-" + CANARY).get() == null) {
            var r = istioctl.run(List.of("install", "-y", "--set", "profile=minimal", "--set", "revision=" + CANARY),
                    java.time.Duration.ofMinutes(3), io.meshform.engine.spi.ProgressSink.NONE, true);
            assertEquals(0, r.exit(), r.tail(10));
        }
        cluster.awaitIstiod(CANARY, java.time.Duration.ofSeconds(90));
        try {
            String ns = cluster.newNamespace();
            c.namespaces().withName(ns).edit(n -> {
                n.getMetadata().getLabels().put("istio.io/rev", CANARY);
                return n;
            });
            deployment(c, ns, "api");
            var pods = c.pods().inNamespace(ns).withLabel("app", "api").list().getItems();
            for (var p : pods) {
                assertEquals(null, p.getMetadata().getLabels().get("istio.io/rev"), "Istio's injector labels nothing");
                assertEquals(CANARY, Sidecars.revisionOf(LivePods.of(p)), "the revision Istio's injector recorded");
            }
            try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of())) {
                var back = yaml("kind: Namespace\nname: " + ns + "\nlabels: {istio.io/rev: default}\nforce: true\n");
                var plan = h.plan("kubernetes.labels.inject", back);
                assertEquals(Action.UPDATE, plan.action());
                assertTrue(plan.details().stream().anyMatch(d -> d.text().equals("sidecar injection moves to revision default"
                        + " for namespace " + ns + "; 2 running pod(s) stay with their current sidecar (or none) until they"
                        + " restart:")), String.join("\n", ChangeAssert.lines(plan.details())));
                ChangeAssert.assertChange(plan).notes("  Deployment " + ns + "/api (2 pods)");

                // A tag of the same revision is the same injector (its webhook calls that revision's istiod).
                var tag = istioctl.run(List.of("tag", "set", TAG, "--revision", CANARY, "--overwrite"),
                        java.time.Duration.ofMinutes(1), io.meshform.engine.spi.ProgressSink.NONE, true);
                assertEquals(0, tag.exit(), tag.tail(10));
                var tagged = h.plan("kubernetes.labels.inject", yaml("kind: Namespace\nname: " + ns + "\nlabels: {istio.io/rev: "
                        + TAG + "}\nforce: true\n"));
                assertEquals(Action.UPDATE, tagged.action());
                assertEquals(List.of("sidecar injection stays with revision " + CANARY + " for namespace " + ns + ": istio.io/rev="
                        + CANARY + " and istio.io/rev=" + TAG + " select the same injector (tag " + TAG + " points at revision "
                        + CANARY + "); no running pod needs a restart"), tagged.details().stream()
                        .filter(d -> d.text().startsWith("sidecar injection")).map(d -> d.text()).toList());
                assertEquals(List.of(), tagged.warnings().stream().filter(w -> w.contains("restart") || w.contains(TAG)).toList());
            }
        } finally {
            istioctl.run(List.of("tag", "remove", TAG, "-y"), java.time.Duration.ofMinutes(1),
                    io.meshform.engine.spi.ProgressSink.NONE, true);
            var r = istioctl.run(List.of("uninstall", "-y", "--revision", CANARY), java.time.Duration.ofMinutes(2),
                    io.meshform.engine.spi.ProgressSink.NONE, true);
            assertEquals(0, r.exit(), r.tail(10));
        }
    }

    private static final String CANARY = "mf-injected-rev";
    private static final String TAG = "mf-stable";

    /**
     * Dropping a namespace's injection label: Istio's "object" webhook still injects the pods whose template asks
     * with {@code sidecar.istio.io/inject: "true"}, so only the others keep a sidecar they lose on restart.
     */
    @Test
    void droppingTheInjectionLabelListsOnlyThePodsThatLoseTheirSidecarOnRestart(ClusterContext cluster) {
        DefaultIstio.ensure(cluster);
        String ns = cluster.newNamespace();
        KubernetesClient c = cluster.client();
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of())) {
            h.apply("kubernetes.labels.inject", yaml("kind: Namespace\nname: " + ns + "\nlabels: {istio-injection: enabled}\n"));
            single(c, ns, "plain", Map.of());
            single(c, ns, "asks", Map.of("sidecar.istio.io/inject", "true"));
            var dropped = yaml("kind: Namespace\nname: " + ns + "\nlabels: {team: pay}\n");
            var plan = h.plan("kubernetes.labels.inject", dropped);
            ChangeAssert.assertChange(plan).hasDetails(List.of(
                    io.meshform.engine.spi.PlanDetail.note("sidecar injection turns off for namespace " + ns
                            + "; 1 running pod(s) stay with a sidecar until they restart:"),
                    io.meshform.engine.spi.PlanDetail.note("  Deployment " + ns + "/plain (1 pod)")));
            h.apply("kubernetes.labels.inject", dropped, plan.privateData());
        }
        // What Istio's injector does with the pods once they are created again.
        assertTrue(recreated(c, ns, "asks"), "the pod that asks for a sidecar gets one again");
        assertFalse(recreated(c, ns, "plain"), "the other pod comes back without one");
    }

    /** A one-replica Deployment whose pods carry {@code labels} besides app, once its pod runs. */
    private static void single(KubernetesClient c, String ns, String name, Map<String, String> labels) {
        c.apps().deployments().inNamespace(ns).resource(new DeploymentBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).addToLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("registry.k8s.io/pause:3.10").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
        c.apps().deployments().inNamespace(ns).withName(name).waitUntilCondition(
                x -> x != null && x.getStatus() != null && Integer.valueOf(1).equals(x.getStatus().getAvailableReplicas()),
                90, TimeUnit.SECONDS);
    }

    /** Deletes the Deployment's pod and tells whether the one that replaces it has a sidecar. */
    private static boolean recreated(KubernetesClient c, String ns, String name) {
        var old = c.pods().inNamespace(ns).withLabel("app", name).list().getItems();
        c.pods().inNamespace(ns).withLabel("app", name).delete();
        var names = old.stream().map(p -> p.getMetadata().getName()).toList();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            var fresh = c.pods().inNamespace(ns).withLabel("app", name).list().getItems().stream()
                    .filter(p -> !names.contains(p.getMetadata().getName())).findFirst();
            if (fresh.isPresent()) {
                return Sidecars.hasSidecar(LivePods.of(fresh.get()));
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("no new pod of " + ns + "/" + name);
    }


    @Test
    void withoutRestartWorkloadsThePlanWarnsAndApplyLeavesPodsAlone(ClusterContext cluster) {
        DefaultIstio.ensure(cluster); // the revision the label names must be installed for injection to turn on
        String ns = cluster.newNamespace();
        KubernetesClient c = cluster.client();
        deployment(c, ns, "web");
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of())) {
            var spec = yaml("kind: Namespace\nname: " + ns + "\nlabels: {istio.io/rev: default}\n");
            var plan = h.plan("kubernetes.labels.inject", spec);
            assertEquals(List.of("injection takes effect only when these pods restart: Deployment " + ns + "/web (set"
                    + " restartWorkloads: true to restart them on apply, or run kubectl rollout restart)"), plan.warnings());
            h.apply("kubernetes.labels.inject", spec);
            var annotations = get(c, ns, "web").getSpec().getTemplate().getMetadata().getAnnotations();
            assertFalse(annotations != null && annotations.containsKey(WorkloadRestarter.RESTARTED_AT));
            assertTrue(h.progress.stream().anyMatch(p -> p.startsWith("injection takes effect only when these pods restart")),
                    h.progress.toString());
        }
    }
}

package io.meshform.providers.istio.install;

import io.meshform.providers.istio.core.Istioctl;

import io.meshform.providers.ChangeAssert;
import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.spi.Action;
import io.meshform.providers.Harness;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import io.meshform.testkit.Testbed;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An in-place upgrade with two real istioctl builds (testbed/versions.env ISTIO_VERSION and ISTIO_NEXT_VERSION):
 * install a revision with the older one, change `version` in the spec, plan with the newer one (an update that shows
 * the istiod image changing), apply, and plan again (no changes). A revision of its own keeps the default control
 * plane that the other tests share on the older release.
 */
@LiveClusterTest
class IstioUpgradeIT {
    static final String REVISION = "upgrade-test";
    static final String ADDRESS = "istio.install.upgrade";

    static String minor(String version) {
        return version.replaceAll("^(\\d+\\.\\d+).*", "$1");
    }

    @Test
    void upgradeInPlaceFromOneMinorReleaseToTheNext(ClusterContext cluster) {
        var versions = Testbed.versions();
        String from = minor(versions.get("ISTIO_VERSION"));
        String to = minor(versions.get("ISTIO_NEXT_VERSION"));
        assertNotEquals(from, to, "the test bed must provide two different minor releases");
        var deployments = cluster.client().apps().deployments().inNamespace("istio-system");
        uninstallLeftover(cluster, REVISION);
        var older = yaml("version: \"" + from + "\"\nprofile: minimal\nrevision: " + REVISION + "\n");
        var newer = yaml("version: \"" + to + "\"\nprofile: minimal\nrevision: " + REVISION + "\n");
        try (Harness a = new Harness(cluster.kubeconfigPath(), Map.of("istioctl", cluster.istioctl().toString()));
             Harness b = new Harness(cluster.kubeconfigPath(), Map.of("istioctl", Testbed.istioctlNext().toString()))) {
            var install = a.plan(ADDRESS, older);
            assertEquals(Action.CREATE, install.action(), install.reason());
            a.apply(ADDRESS, older, install.privateData());
            String image = image(deployments.withName("istiod-" + REVISION).get());
            assertTrue(image.endsWith(":" + versions.get("ISTIO_VERSION")), image);

            // The older istioctl refuses the newer version: the binary must match the spec.
            var wrong = assertThrows(DiagnosticsException.class, () -> a.plan(ADDRESS, newer));
            assertTrue(wrong.getMessage().contains("wants " + to), wrong.getMessage());

            // Pods of this revision before the upgrade: the test bed's istiod (Istio's injector, with the revision's
            // templates) gives them the older proxy.
            String ns = cluster.newNamespace();
            cluster.client().pods().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                    .withNewMetadata().withName("worker-0").addToLabels("istio.io/rev", REVISION).endMetadata()
                    .withNewSpec().addNewContainer().withName("app").withImage("registry.k8s.io/pause:3.10").endContainer()
                    .endSpec().build()).create();
            cluster.client().apps().deployments().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder()
                    .withNewMetadata().withName("worker").endMetadata()
                    .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "worker").endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app", "worker").addToLabels("istio.io/rev", REVISION).endMetadata()
                    .withNewSpec().addNewContainer().withName("app").withImage("registry.k8s.io/pause:3.10").endContainer()
                    .endSpec().endTemplate().endSpec().build()).create();
            cluster.client().apps().deployments().inNamespace(ns).withName("worker").waitUntilCondition(
                    d -> d != null && d.getStatus() != null && Integer.valueOf(1).equals(d.getStatus().getAvailableReplicas()),
                    90, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(List.of("docker.io/istio/proxyv2:" + versions.get("ISTIO_VERSION")), proxyImages(cluster, ns, "app", "worker"),
                    "the revision's injector gave the workload the older proxy");
            assertEquals("docker.io/istio/proxyv2:" + versions.get("ISTIO_VERSION"),
                    proxyImage(cluster.client().pods().inNamespace(ns).withName("worker-0").get()));
            var newerWithRestarts = yaml("version: \"" + to + "\"\nprofile: minimal\nrevision: " + REVISION
                    + "\nrestartWorkloads: true\nrestartTimeoutSeconds: 90\n");

            b.state.putAll(a.state);
            var upgrade = b.plan(ADDRESS, newerWithRestarts);
            System.err.println("[IstioUpgradeIT] " + upgrade.action() + ": " + upgrade.reason() + "\n  "
                    + String.join("\n  ", ChangeAssert.lines(upgrade.details())) + "\n  warnings: " + upgrade.warnings());
            assertEquals(Action.UPDATE, upgrade.action(), upgrade.reason());
            assertTrue(upgrade.reason().startsWith("rendered manifests changed"), upgrade.reason());
            assertEquals(versions.get("ISTIO_VERSION"), upgrade.before().get("version").asString(),
                    "the plan shows the version running now");
            assertEquals(to, upgrade.after().get("version").asString());
            assertTrue(upgrade.details().stream().anyMatch(d -> d.kind() == io.meshform.engine.spi.PlanDetail.Kind.CHANGE && d.text().startsWith("Deployment istio-system/istiod-" + REVISION)
                    && d.text().contains("image")), upgrade.details().toString());
            ChangeAssert.assertChange(upgrade).notes("data plane: 2 workload(s) keep proxy " + versions.get("ISTIO_VERSION")
                    + " until they restart (restartWorkloads, or kubectl rollout restart): Deployment " + ns + "/worker, Pod "
                    + ns + "/worker-0");
            assertTrue(upgrade.details().stream().anyMatch(d -> d.text().startsWith("restartWorkloads: after the install")),
                    upgrade.details().toString());

            var applied = b.apply(ADDRESS, newerWithRestarts, upgrade.privateData());
            var template = cluster.client().apps().deployments().inNamespace(ns).withName("worker").get().getSpec().getTemplate();
            assertTrue(template.getMetadata().getAnnotations() != null && template.getMetadata().getAnnotations()
                    .containsKey("kubectl.kubernetes.io/restartedAt"), "the workload with the old proxy was restarted");
            assertTrue(b.progress.stream().anyMatch(l -> l.contains(ns + "/worker-0")), "the bare pod is named: " + b.progress);
            assertEquals(versions.get("ISTIO_NEXT_VERSION"), applied.metadata().get("istioctlVersion"));
            image = image(deployments.withName("istiod-" + REVISION).get());
            assertTrue(image.endsWith(":" + versions.get("ISTIO_NEXT_VERSION")), "istiod runs the new release: " + image);
            assertEquals(List.of("docker.io/istio/proxyv2:" + versions.get("ISTIO_NEXT_VERSION")), proxyImages(cluster, ns, "app", "worker"),
                    "the restarted workload got the new proxy from the upgraded revision's injector");

            var again = b.plan(ADDRESS, newerWithRestarts);
            assertEquals(Action.NOOP, again.action(), again.reason() + "\n" + String.join("\n", ChangeAssert.lines(again.details())));

            b.delete(ADDRESS);
            // Destroy returns once the objects istioctl uninstall deleted in the foreground are gone (UninstallWait).
            assertNull(deployments.withName("istiod-" + REVISION).get(), "the revision is uninstalled: " + b.progress);
        }
    }

    /**
     * Istio's safer path: the next release as a canary revision beside the running one, in the same stack, each
     * install with its own istioctl (the canary names its binary in the spec).
     */
    @Test
    void aCanaryOfTheNextReleaseRunsBesideTheCurrentOneWithItsOwnIstioctl(ClusterContext cluster) {
        var versions = Testbed.versions();
        String from = minor(versions.get("ISTIO_VERSION"));
        String to = minor(versions.get("ISTIO_NEXT_VERSION"));
        var current = yaml("version: \"" + from + "\"\nprofile: minimal\nrevision: stable-test\n");
        var canary = yaml("version: \"" + to + "\"\nprofile: minimal\nrevision: canary-test\nistioctl: \""
                + Testbed.istioctlNext() + "\"\n");
        var deployments = cluster.client().apps().deployments().inNamespace("istio-system");
        uninstallLeftover(cluster, "stable-test");
        uninstallLeftover(cluster, "canary-test");
        // The canary's istioctl comes from the spec: the command line must allow that (--allow-stack-istioctl).
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of("istioctl", cluster.istioctl().toString(),
                "allowStackIstioctl", "true"))) {
            var planCurrent = h.plan("istio.install.stable", current);
            var planCanary = h.plan("istio.install.canary", canary);
            assertEquals(Action.CREATE, planCurrent.action(), planCurrent.reason());
            assertEquals(Action.CREATE, planCanary.action(), planCanary.reason());
            assertEquals(versions.get("ISTIO_NEXT_VERSION"), planCanary.privateData().get("istioctlVersion"));
            h.apply("istio.install.stable", current, planCurrent.privateData());
            h.apply("istio.install.canary", canary, planCanary.privateData());
            assertTrue(image(deployments.withName("istiod-stable-test").get()).endsWith(":" + versions.get("ISTIO_VERSION")));
            assertTrue(image(deployments.withName("istiod-canary-test").get()).endsWith(":" + versions.get("ISTIO_NEXT_VERSION")));
            var stableAgain = h.plan("istio.install.stable", current);
            assertEquals(Action.NOOP, stableAgain.action(), stableAgain.reason() + "\n" + String.join("\n", ChangeAssert.lines(stableAgain.details())));
            var canaryAgain = h.plan("istio.install.canary", canary);
            assertEquals(Action.NOOP, canaryAgain.action(), canaryAgain.reason() + "\n" + String.join("\n", ChangeAssert.lines(canaryAgain.details())));
            h.delete("istio.install.canary");
            h.delete("istio.install.stable");
        }
    }

    /** A revision an earlier, interrupted run left behind, so this test starts from nothing. */
    private static void uninstallLeftover(ClusterContext cluster, String revision) {
        if (cluster.client().apps().deployments().inNamespace("istio-system").withName("istiod-" + revision).get() != null) {
            var r = new Istioctl(cluster.istioctl().toString(), "test", cluster.kubeconfigPath().toString(), null)
                    .run(java.util.List.of("uninstall", "-y", "--revision", revision), java.time.Duration.ofMinutes(2),
                            io.meshform.engine.spi.ProgressSink.NONE, true);
            assertEquals(0, r.exit(), r.tail(10));
            cluster.client().apps().deployments().inNamespace("istio-system").withName("istiod-" + revision)
                    .waitUntilCondition(java.util.Objects::isNull, 60, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** The istio-proxy image of a pod (container or native sidecar), or null without one. */
    private static String proxyImage(io.fabric8.kubernetes.api.model.Pod p) {
        return java.util.stream.Stream.concat(p.getSpec().getContainers().stream(), p.getSpec().getInitContainers().stream())
                .filter(c -> c.getName().equals("istio-proxy")).map(io.fabric8.kubernetes.api.model.Container::getImage)
                .findFirst().orElse(null);
    }

    /** The distinct proxy images of the running (not terminating) pods with a label. */
    private static List<String> proxyImages(ClusterContext cluster, String ns, String label, String value) {
        return cluster.client().pods().inNamespace(ns).withLabel(label, value).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .map(IstioUpgradeIT::proxyImage).distinct().toList();
    }

    private static String image(io.fabric8.kubernetes.api.model.apps.Deployment d) {
        assertTrue(d != null, "the istiod Deployment exists");
        return d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }
}

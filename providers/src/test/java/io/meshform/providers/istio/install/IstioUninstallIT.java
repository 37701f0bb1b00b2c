package io.meshform.providers.istio.install;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.plan.Sensitive;
import io.meshform.engine.spi.Action;
import io.meshform.providers.Harness;
import io.meshform.state.ResourceState;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.FinalizerHold;
import io.meshform.testkit.LiveClusterTest;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * Destroying an install whose state holds sensitive values as digests, with the real istioctl: in typed fields (a
 * boolean, a duration and a number in meshConfig), which Istio 1.30.3's uninstall never parses, and in the two it does
 * read, the profile (it must exist) and values.global.istioNamespace (it selects what is removed), see
 * {@link UninstallOperator}. Before meshform gave uninstall only what it reads, the digested profile failed it
 * ("Error: profile \"sha256:...\" not found"), and a digested namespace alone fails it too ("unable to parse
 * requirement: ... owning-resource-namespace]: Invalid value: \"sha256:...\"").
 */
@LiveClusterTest
class IstioUninstallIT {
    @Test
    void anInstallRecordedWithDigestsUninstallsItsControlPlaneAndNothingElse(ClusterContext cluster) {
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of("istioctl", cluster.istioctl().toString()))) {
            String addr = "istio.install.mesh";
            var spec = yaml("version: \"" + IstioInstallIT.MINOR + "\"\nprofile: default\n"
                    + "meshConfig: {enableTracing: false, connectTimeout: 10s, defaultConfig: {concurrency: 2}}\n"
                    + "values: {global: {istioNamespace: istio-system}}\n");
            var plan = h.plan(addr, spec);
            if (plan.action() != Action.NOOP) {
                h.apply(addr, spec, plan.privateData());
            }
            var deployments = cluster.client().apps().deployments().inNamespace("istio-system");
            assertNotNull(deployments.withName("istiod").get(), "istiod runs");
            assertNotNull(deployments.withName("istio-ingressgateway").get(), "the ingress gateway runs");

            ResourceAddress a = ResourceAddress.parse(addr);
            ResourceState applied = h.state.get(a);
            // as the state records it when sensitive variables gave these values
            ObjectNode recorded = (ObjectNode) Sensitive.digest(applied.attributes(), Set.of("/meshConfig/enableTracing",
                    "/meshConfig/connectTimeout", "/meshConfig/defaultConfig/concurrency", "/profile", UninstallOperator.NAMESPACE));
            h.state.put(a, new ResourceState(applied.address(), applied.type(), recorded, applied.metadata()));

            h.delete(addr);
            // Gone when destroy returns, not only being deleted: istioctl deletes in the foreground and returns at once,
            // and an install applied onto a Deployment still being deleted (its ReplicaSets first) saw it vanish and
            // waited for it in vain ("deployments.apps \"istiod\" not found").
            for (String name : new String[] {"istiod", "istio-ingressgateway"}) {
                assertNull(deployments.withName(name).get(), name + " is gone when the delete returns: " + h.progress);
            }
            assertNotNull(cluster.client().apiextensions().v1().customResourceDefinitions()
                    .withName("authorizationpolicies.security.istio.io").get(), "the base CRDs stay (no --purge)");

            // destroy, then apply at once (a script, a pipeline that rebuilds): the install succeeds.
            var again = h.plan(addr, spec);
            h.apply(addr, spec, again.privateData());
            assertNotNull(deployments.withName("istiod").get(), "istiod runs again: " + h.progress);
        }
    }

    /**
     * The old control plane retired at the end of a canary (docs/istio-upgrades.md): the install without a revision
     * is destroyed beside a revision's, which keeps running. Before, {@code istioctl uninstall -f} selected by the
     * owning namespace alone and removed {@code istiod-uninstall-canary} with the default revision.
     */
    @Test
    void theInstallWithoutRevisionIsRemovedAloneBesideACanary(ClusterContext cluster) {
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of("istioctl", cluster.istioctl().toString()))) {
            var mesh = yaml("version: \"" + IstioInstallIT.MINOR + "\"\nprofile: default\n");
            var canary = yaml("version: \"" + IstioInstallIT.MINOR + "\"\nprofile: minimal\nrevision: uninstall-canary\n");
            var plan = h.plan("istio.install.mesh", mesh);
            if (plan.action() != Action.NOOP) {
                h.apply("istio.install.mesh", mesh, plan.privateData());
            }
            var planCanary = h.plan("istio.install.canary", canary);
            h.apply("istio.install.canary", canary, planCanary.privateData());
            var deployments = cluster.client().apps().deployments().inNamespace("istio-system");
            assertNotNull(deployments.withName("istiod-uninstall-canary").get(), "the canary runs");

            h.delete("istio.install.mesh");
            assertNull(deployments.withName("istiod").get(), "the default revision is gone: " + h.progress);
            assertNotNull(deployments.withName("istiod-uninstall-canary").get(), "the canary keeps running: " + h.progress);
            assertNotNull(cluster.client().admissionRegistration().v1().mutatingWebhookConfigurations()
                    .withName("istio-sidecar-injector-uninstall-canary").get(), "the canary's injector stays");
            assertTrue(h.progress.toString().contains("uninstall -y --revision default -f"), h.progress.toString());

            h.delete("istio.install.canary");
            // The default control plane the other tests share, back as it was.
            h.apply("istio.install.mesh", mesh, h.plan("istio.install.mesh", mesh).privateData());
        }
    }

    /**
     * The wait after uninstall is for the objects istioctl deleted, not for their names: a re-install (another pipeline,
     * a controller) may make a new object under a deleted one's name once it is gone. Before, the wait asked only whether an object of that name was there, and waited for the new one
     * until {@code timeoutSeconds}, then failed the destroy ("still there after 30s: Service istio-system/istiod").
     * istioctl's own delete is by name too (Istio 1.30.3 operator/pkg/uninstall/prune.go {@code DeleteResource}). Here the
     * istiod Service is held by a finalizer, so the swap happens while the wait watches; then released and made again.
     */
    @Test
    void anObjectMadeAgainUnderADeletedOnesNameDoesNotHoldTheUninstall(ClusterContext cluster) throws Exception {
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of("istioctl", cluster.istioctl().toString()))) {
            String addr = "istio.install.mesh";
            var spec = yaml("version: \"" + IstioInstallIT.MINOR + "\"\nprofile: default\ntimeoutSeconds: 30\n");
            var plan = h.plan(addr, spec);
            if (plan.action() != Action.NOOP) {
                h.apply(addr, spec, plan.privateData());
            }
            var services = cluster.client().services().inNamespace("istio-system");
            String oldUid = services.withName("istiod").get().getMetadata().getUid();
            // Released 1.5 s after istioctl asked for the delete: the wait has begun and seen the old Service go.
            try (var hold = FinalizerHold.add(services.withName("istiod"))
                    .releaseWhenDeleting(Duration.ofMillis(1500), Duration.ofSeconds(60))) {
                var again = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        if (!hold.released(Duration.ofSeconds(60))) {
                            throw new AssertionError("istioctl uninstall did not delete Service istio-system/istiod");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                    while (services.withName("istiod").get() != null) {
                        sleep(10);
                    }
                    return services.resource(new io.fabric8.kubernetes.api.model.ServiceBuilder()
                            .withNewMetadata().withName("istiod").withNamespace("istio-system").endMetadata()
                            .withNewSpec().addNewPort().withPort(15012).endPort().endSpec().build()).create().getMetadata().getUid();
                });
                try {
                    h.delete(addr);
                    String newUid = again.get(60, java.util.concurrent.TimeUnit.SECONDS);
                    assertTrue(!newUid.equals(oldUid), "a new Service under the old name");
                    assertNotNull(services.withName("istiod").get(), "the new Service stays: it is not the install's");
                    assertNull(cluster.client().apps().deployments().inNamespace("istio-system").withName("istiod").get(),
                            "istiod is gone: " + h.progress);
                    assertTrue(h.progress.stream().anyMatch(l -> l.contains("the objects istioctl uninstall deleted are gone")),
                            h.progress.toString());
                } finally {
                    again.cancel(true);
                }
            } finally {
                services.withName("istiod").delete();
            }
            awaitGone(cluster);
            // The default control plane the other tests share, back as it was.
            var mesh = yaml("version: \"" + IstioInstallIT.MINOR + "\"\nprofile: default\n");
            h.apply(addr, mesh, h.plan(addr, mesh).privateData());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits until istiod and the ingress gateway are gone: an install applied onto a Deployment still being deleted (its
     * ReplicaSets first) sees it vanish and waits for it in vain ("deployments.apps \"istiod\" not found").
     */
    static void awaitGone(ClusterContext cluster) {
        var deployments = cluster.client().apps().deployments().inNamespace("istio-system");
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
        while ((deployments.withName("istiod").get() != null || deployments.withName("istio-ingressgateway").get() != null)
                && System.nanoTime() < until) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for the uninstall", e);
            }
        }
        assertNull(deployments.withName("istiod").get(), "istiod is gone within 120 s");
        assertNull(deployments.withName("istio-ingressgateway").get(), "the ingress gateway is gone within 120 s");
    }
}

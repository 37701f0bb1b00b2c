package io.meshform.providers.istio.injection;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InjectionTest {

    @Test
    void injectionFollowsIstiosWebhookSelectors() {
        assertTrue(Injection.of(Map.of("istio-injection", "enabled")).enabled());
        assertEquals(new Injection(true, "1-30"), Injection.of(Map.of("istio.io/rev", "1-30")));
        assertFalse(Injection.of(Map.of("istio-injection", "disabled", "istio.io/rev", "1-30")).enabled(),
                "any istio-injection value other than enabled switches the revision label off");
        assertFalse(Injection.of(Map.of("team", "pay")).enabled());
        assertFalse(Injection.of(null).enabled());
        assertEquals("on", Injection.OFF.turns(Injection.of(Map.of("istio-injection", "enabled"))));
        assertEquals("off", Injection.of(Map.of("istio.io/rev", "x")).turns(Injection.OFF));
        assertEquals("moves", Injection.of(Map.of("istio-injection", "enabled")).turns(Injection.of(Map.of("istio.io/rev", "x"))),
                "from the default revision's injector to x's: a canary upgrade moving a namespace");
        assertNull(Injection.of(Map.of("istio.io/rev", "x")).turns(Injection.of(Map.of("istio.io/rev", "x", "team", "pay"))));
    }

    @Test
    void aSidecarIsAnIstioProxyContainerOrANativeSidecarInitContainer() {
        var plain = Pods.ofDeployment("cortex", "api", "a");
        assertFalse(hasSidecar(plain));
        assertTrue(hasSidecar(Pods.withSidecar(plain)));
        assertTrue(hasSidecar(Pods.withNativeSidecar(plain, "Always")));
        assertFalse(hasSidecar(Pods.withNativeSidecar(plain, null)), "an init container that exits proxies nothing");
    }

    @Test
    void podsMapToTheirWorkloadWithoutReadingReplicaSets() {
        assertEquals(Optional.of(new Workload("Deployment", "cortex", "api")), workloadOf(Pods.ofDeployment("cortex", "api", "a")));
        assertEquals(Optional.of(new Workload("StatefulSet", "cortex", "mongo")),
                workloadOf(Pods.pod("cortex", "mongo-0", "StatefulSet", "mongo", null).build()));
        assertEquals(Optional.empty(), workloadOf(Pods.pod("cortex", "bare-abc", "ReplicaSet", "bare", null).build()),
                "a ReplicaSet without a Deployment");
        assertEquals(Optional.empty(), workloadOf(Pods.pod("cortex-compute", "driver", null, null, null).build()));
        assertEquals(Optional.empty(), workloadOf(Pods.pod("cortex", "job-x", "Job", "job", null).build()));
    }

    @Test
    void impactListsWorkloadsWhosePodsKeepTheirOldState() {
        var pods = List.of(
                Pods.ofDeployment("cortex", "api", "a"),
                Pods.ofDeployment("cortex", "api", "b"),
                Pods.withSidecar(Pods.ofDeployment("cortex", "web", "a")),
                Pods.pod("cortex", "mongo-0", "StatefulSet", "mongo", null).build(),
                Pods.pod("cortex", "driver", null, null, null).build(),
                new PodBuilder(Pods.ofDeployment("cortex", "optout", "a")).editMetadata()
                        .addToLabels("sidecar.istio.io/inject", "false").endMetadata().build(),
                new PodBuilder(Pods.pod("cortex", "job-1", "Job", "job", null).build()).editStatus().withPhase("Succeeded").endStatus().build());
        var on = InjectionImpact.of("cortex", true, LivePods.of(pods));
        assertEquals(Map.of(new Workload("Deployment", "cortex", "api"), 2, new Workload("StatefulSet", "cortex", "mongo"), 1),
                on.workloads());
        assertEquals(List.of("cortex/driver"), on.unowned());
        assertEquals(4, on.pods());
        assertEquals(List.of(
                "sidecar injection turns on for namespace cortex; 4 running pod(s) stay without a sidecar until they restart:",
                "  Deployment cortex/api (2 pods)",
                "  StatefulSet cortex/mongo (1 pod)",
                "  pods no Deployment, StatefulSet or DaemonSet owns (delete them to restart): cortex/driver",
                "sidecar requests for 4 pod(s) in cortex: 400m CPU, 512Mi memory (4 × 100m / 128Mi, Istio's default proxy requests)"),
                io.meshform.providers.ChangeAssert.lines(on.details(ProxyRequests.DEFAULT)));
        assertTrue(on.restartWarning().startsWith("injection takes effect only when these pods restart: Deployment cortex/api,"
                + " StatefulSet cortex/mongo, Pod cortex/driver"), on.restartWarning());

        var off = InjectionImpact.of("cortex", false, LivePods.of(pods));
        assertEquals(Map.of(new Workload("Deployment", "cortex", "web"), 1), off.workloads());
        assertEquals(2, off.details(ProxyRequests.DEFAULT).size(), "no estimate when sidecars go away");
    }

    /**
     * Istio's "object" and "rev.object" webhooks inject a pod that asks for it with its own labels where the
     * namespace has neither injection label (the dev cluster's injector does so: WorkloadRestartIT), so dropping the
     * namespace's label leaves those pods their sidecar when they restart; istio-injection=disabled does not.
     */
    @Test
    void podsThatAskForASidecarThemselvesKeepItWhereTheNamespaceDropsItsLabel() {
        var pods = LivePods.of(List.of(
                Pods.withSidecar(Pods.ofDeployment("cortex", "plain", "a")),
                Pods.withSidecar(new PodBuilder(Pods.ofDeployment("cortex", "asks", "a")).editMetadata()
                        .addToLabels("sidecar.istio.io/inject", "true").endMetadata().build()),
                Pods.withSidecar(new PodBuilder(Pods.ofDeployment("cortex", "pinned", "a")).editMetadata()
                        .addToLabels("istio.io/rev", "canary").endMetadata().build()),
                Pods.withSidecar(new PodBuilder(Pods.ofDeployment("cortex", "annotated", "a")).editMetadata()
                        .addToAnnotations("sidecar.istio.io/inject", "true").endMetadata().build())));
        var dropped = InjectionImpact.of("cortex", Map.of("team", "pay"), pods);
        assertEquals(Map.of(new Workload("Deployment", "cortex", "plain"), 1, new Workload("Deployment", "cortex", "annotated"), 1),
                dropped.workloads(), "the annotation is no webhook selector");
        var disabled = InjectionImpact.of("cortex", Map.of("istio-injection", "disabled"), pods);
        assertEquals(4, disabled.pods(), "any istio-injection value turns the object webhooks off too");
        var emptyRevision = InjectionImpact.of("cortex", Map.of("istio.io/rev", ""), pods);
        assertEquals(4, emptyRevision.pods(), "a namespace istio.io/rev label, even empty, turns the object webhooks off");
        assertTrue(Sidecars.injectedOnCreate(Map.of("istio-injection", "enabled"), pods.get(1)));
        assertFalse(Sidecars.injectedOnCreate(Map.of(), LivePods.of(new PodBuilder(Pods.ofDeployment("cortex", "x", "a"))
                .editMetadata().addToLabels("istio.io/rev", "").endMetadata().build())), "an empty revision selects no webhook");
    }

    @Test
    void proxyRequestsComeFromTheInstallSpecOrIstiosDefault() {
        assertEquals(ProxyRequests.DEFAULT, ProxyRequests.from(yaml("version: \"1.30\"\n")));
        var custom = ProxyRequests.from(yaml("values: {global: {proxy: {resources: {requests: {cpu: 50m, memory: 1Gi}}}}}\n"));
        assertEquals("sidecar requests for 3 pod(s) in cortex: 150m CPU, 3072Mi memory (3 × 50m / 1Gi,"
                + " values.global.proxy.resources.requests)", custom.estimate("cortex", 3));
        var cpuOnly = ProxyRequests.from(yaml("values: {global: {proxy: {resources: {requests: {cpu: \"0.25\"}}}}}\n"));
        assertEquals("250m", cpuOnly.cpuTotal(1));
        assertEquals("128Mi", cpuOnly.memoryTotal(1));
    }

    @Test
    void podsThatSetTheirOwnProxyResourcesAreCountedWithThem() {
        var pods = List.of(
                Pods.ofDeployment("cortex", "api", "a"),
                new PodBuilder(Pods.ofDeployment("cortex", "big", "a")).editMetadata()
                        .addToAnnotations(ProxyRequests.CPU, "500m").addToAnnotations(ProxyRequests.MEMORY, "1Gi").endMetadata().build(),
                // Only a CPU limit: the template drops the default requests, and Kubernetes makes the limit the CPU request.
                new PodBuilder(Pods.ofDeployment("cortex", "capped", "a")).editMetadata()
                        .addToAnnotations(ProxyRequests.CPU + "Limit", "200m").endMetadata().build());
        var on = InjectionImpact.of("cortex", true, LivePods.of(pods));
        assertEquals("sidecar requests for 3 pod(s) in cortex: 800m CPU, 1152Mi memory (1 × 100m / 128Mi, Istio's default"
                + " proxy requests; 2 pod(s) set their own with sidecar.istio.io/proxyCPU, proxyMemory or their ...Limit"
                + " annotations)", io.meshform.providers.ChangeAssert.lines(on.details(ProxyRequests.DEFAULT)).get(4));
        assertEquals("sidecar requests for 1 pod(s) in cortex: 500m CPU, 1024Mi memory (1 pod(s) set their own with"
                + " sidecar.istio.io/proxyCPU, proxyMemory or their ...Limit annotations)",
                ProxyRequests.DEFAULT.estimate("cortex", List.of(Map.of(ProxyRequests.CPU, "500m", ProxyRequests.MEMORY, "1Gi"))));
    }

    @Test
    void theDemoProfileRequestsLessPerSidecar() {
        // istioctl 1.30.3 `manifest generate --set profile=demo`: the injector's values request 10m / 40Mi per proxy
        var demo = ProxyRequests.from(yaml("version: \"1.30\"\nprofile: demo\n"));
        assertEquals("sidecar requests for 3 pod(s) in cortex: 30m CPU, 120Mi memory (3 × 10m / 40Mi,"
                + " the demo profile's proxy requests)", demo.estimate("cortex", 3));
        var demoCpu = ProxyRequests.from(yaml("profile: demo\nvalues: {global: {proxy: {resources: {requests: {cpu: 50m}}}}}\n"));
        assertEquals("40Mi", demoCpu.memoryTotal(1), "a field the stack leaves out keeps the profile's value");
        assertEquals(ProxyRequests.DEFAULT, ProxyRequests.from(yaml("profile: minimal\n")));
    }

    @Test
    void movingToAnotherRevisionRestartsPodsWhoseSidecarCameFromAnother() {
        var onCanary = new PodBuilder(Pods.withSidecar(Pods.ofDeployment("cortex", "web", "a"))).editMetadata()
                .addToAnnotations("istio.io/rev", "1-31").endMetadata().build(); // the 1-31 injector's template writes it
        var pods = List.of(
                Pods.withSidecar(Pods.ofDeployment("cortex", "api", "a")),   // default revision's sidecar
                onCanary,                                                     // already moved
                Pods.ofDeployment("cortex", "worker", "a"));                  // no sidecar yet
        var impact = InjectionImpact.moving("cortex", "1-31", LivePods.of(pods));
        assertEquals(List.of(new Workload("Deployment", "cortex", "api"), new Workload("Deployment", "cortex", "worker")),
                List.copyOf(impact.workloads().keySet()));
        assertEquals("sidecar injection moves to revision 1-31 for namespace cortex; 2 running pod(s) stay with their"
                + " current sidecar (or none) until they restart:", impact.details(ProxyRequests.DEFAULT).get(0).line());
    }

    private static boolean hasSidecar(io.fabric8.kubernetes.api.model.Pod p) {
        return Sidecars.hasSidecar(LivePods.of(p));
    }

    private static Optional<Workload> workloadOf(io.fabric8.kubernetes.api.model.Pod p) {
        return Sidecars.workloadOf(LivePods.of(p));
    }
}

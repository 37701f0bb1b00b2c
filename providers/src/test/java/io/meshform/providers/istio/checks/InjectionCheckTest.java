package io.meshform.providers.istio.checks;

import static io.meshform.providers.TestSpecs.decl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.Environment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InjectionCheckTest {

    static Pod statefulPod(String ns, String name, String set, boolean sidecar) {
        PodBuilder b = new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).addNewOwnerReference()
                .withKind("StatefulSet").withName(set).withController(true).endOwnerReference().endMetadata()
                .withNewSpec().addToContainers(new ContainerBuilder().withName("app").build()).endSpec();
        if (sidecar) {
            b.editSpec().addToInitContainers(new ContainerBuilder().withName("istio-proxy").withRestartPolicy("Always").build())
                    .endSpec();
        }
        return b.build();
    }

    /** A fake cluster: namespace labels, and pods per namespace; records which namespaces' pods were listed. */
    static class FakeLive implements InjectionWithoutSidecars.Live {
        final Map<String, Map<String, String>> namespaces;
        final Map<String, List<Pod>> pods;
        final List<String> listed = new ArrayList<>();

        FakeLive(Map<String, Map<String, String>> namespaces, Map<String, List<Pod>> pods) {
            this.namespaces = namespaces;
            this.pods = pods;
        }

        @Override
        public Map<String, Map<String, String>> namespaceLabels() {
            return namespaces;
        }

        @Override
        public List<io.meshform.providers.istio.injection.LivePod> pods(String namespace) {
            listed.add(namespace);
            return io.meshform.providers.istio.injection.LivePods.of(pods.getOrDefault(namespace, List.of()));
        }
    }

    static final Map<String, List<Pod>> PODS = Map.of("cortex", List.of(statefulPod("cortex", "mongo-0", "mongo", false),
            statefulPod("cortex", "redis-0", "redis", true)));

    @Test
    void injectionAlreadyOnWithPodsLackingSidecarsWarns() {
        var labels = decl("kubernetes.labels.cortex_injection", "kind: Namespace\nname: cortex\nlabels: {istio-injection: enabled}\n");
        var live = new FakeLive(Map.of("cortex", Map.of("istio-injection", "enabled")), PODS);
        List<Diagnostic> ds = InjectionWithoutSidecars.check(MeshChecksTest.ctx(Environment.STAGING, labels), live);
        assertEquals(1, ds.size());
        assertEquals("kubernetes.labels.cortex_injection: sidecar injection is on for namespace cortex, but 1 running pod(s)"
                + " have no sidecar", ds.get(0).summary());
        assertTrue(ds.get(0).detail().contains("StatefulSet cortex/mongo (1 pod)"), ds.get(0).detail());
        assertTrue(ds.get(0).detail().contains("kubectl rollout restart statefulset/mongo -n cortex"), ds.get(0).detail());
        assertTrue(ds.get(0).detail().contains("sidecar requests for 1 pod(s) in cortex: 100m CPU, 128Mi memory"), ds.get(0).detail());
    }

    /**
     * With {@code values.global.proxy.autoInject: disabled} istiod's injector skips every pod that does not ask with
     * {@code sidecar.istio.io/inject: "true"} ({@code injectRequired}, pkg/kube/inject/inject.go): restarting mongo
     * gives it no sidecar, so the check must not tell the user to.
     */
    @Test
    void underTheInjectorPolicyDisabledAPodThatDoesNotAskIsNoFinding() {
        var labels = decl("kubernetes.labels.cortex_injection", "kind: Namespace\nname: cortex\nlabels: {istio-injection: enabled}\n");
        var install = decl("istio.install.mesh", "version: \"1.30\"\nvalues: {global: {proxy: {autoInject: disabled}}}\n");
        var live = new FakeLive(Map.of("cortex", Map.of("istio-injection", "enabled")), PODS);
        assertEquals(List.of(), InjectionWithoutSidecars.check(MeshChecksTest.ctx(Environment.STAGING, labels, install), live));
        Pod asks = new PodBuilder(statefulPod("cortex", "mongo-0", "mongo", false)).editMetadata()
                .addToLabels("sidecar.istio.io/inject", "true").endMetadata().build();
        var asking = new FakeLive(Map.of("cortex", Map.of("istio-injection", "enabled")), Map.of("cortex", List.of(asks)));
        assertEquals(1, InjectionWithoutSidecars.check(MeshChecksTest.ctx(Environment.STAGING, labels, install), asking).size(),
                "a pod that asks still gets a sidecar when it restarts");
    }

    @Test
    void injectionTurningOnInThisPlanIsLeftToThatResourcesPlan() {
        var ns = decl("kubernetes.namespace.cortex", "name: cortex\nlabels: {istio.io/rev: 1-30}\n");
        var live = new FakeLive(Map.of("cortex", Map.of()), PODS);
        assertEquals(List.of(), InjectionWithoutSidecars.check(MeshChecksTest.ctx(Environment.STAGING, ns), live));
        assertEquals(List.of(), live.listed, "no pod LIST: the labels resource's plan lists them");
    }

    @Test
    void noWarningWhenEveryPodHasASidecarOrInjectionIsOff() {
        var labels = decl("kubernetes.labels.cortex_injection", "kind: Namespace\nname: cortex\nlabels: {istio-injection: enabled}\n");
        var sidecars = Map.of("cortex", List.of(statefulPod("cortex", "redis-0", "redis", true)));
        assertEquals(List.of(), InjectionWithoutSidecars.check(MeshChecksTest.ctx(Environment.STAGING, labels),
                new FakeLive(Map.of("cortex", Map.of("istio-injection", "enabled")), sidecars)));
        var off = decl("kubernetes.labels.cortex_injection", "kind: Namespace\nname: cortex\nlabels: {istio-injection: disabled}\n");
        var live = new FakeLive(Map.of("cortex", Map.of("istio-injection", "disabled")), PODS);
        assertEquals(List.of(), InjectionWithoutSidecars.check(MeshChecksTest.ctx(Environment.STAGING, off), live));
        assertEquals(List.of(), live.listed);
    }

    /**
     * The namespace names a revision no injector webhook answers to (only r1 and its tags installed): Istio gives its
     * pods no sidecar, so the check says that, not that a restart would give them one.
     */
    @Test
    void aNamespaceWhoseRevisionIsNotInstalledIsReportedAsSuchNotAsPodsToRestart() {
        var labels = decl("kubernetes.labels.cortex_injection", "kind: Namespace\nname: cortex\nlabels: {istio.io/rev: canary}\n");
        var injectors = io.meshform.providers.istio.injection.Injectors.of(List.of(Map.of("istio.io/rev", "r1"),
                Map.of("istio.io/rev", "r1", "istio.io/tag", "prod")));
        var live = new FakeLive(Map.of("cortex", Map.of("istio.io/rev", "canary")), PODS) {
            @Override
            public io.meshform.providers.istio.injection.Injectors injectors() {
                return injectors;
            }
        };
        List<Diagnostic> ds = InjectionWithoutSidecars.check(MeshChecksTest.ctx(Environment.STAGING, labels), live);
        assertEquals(1, ds.size(), ds.toString());
        assertEquals("kubernetes.labels.cortex_injection: namespace cortex asks for sidecar injection by canary, which names no"
                + " installed Istio revision or tag (installed: revision r1; tag prod -> r1)", ds.get(0).summary());
        assertTrue(ds.get(0).detail().startsWith("no injector webhook selects the namespace, so Istio gives its pods no sidecar"),
                ds.get(0).detail());
        assertEquals(List.of(), live.listed, "no pod LIST: restarting them would not help");
    }

    /**
     * Revision r1 installed outside the stack, its ConfigMap with a neverInjectSelector for mongo: the restart list
     * leaves mongo out, as r1's istiod would. With the ConfigMap unreadable, the warning says the defaults were assumed.
     */
    @Test
    void aRevisionTheStackDoesNotInstallIsJudgedByItsLiveConfigMap() {
        var labels = decl("kubernetes.labels.cortex_injection", "kind: Namespace\nname: cortex\nlabels: {istio.io/rev: r1}\n");
        var webhooks = io.meshform.providers.istio.injection.Injectors.of(List.of(Map.of("istio.io/rev", "r1")));
        var mongoAndApi = Map.of("cortex", List.of(labelled(statefulPod("cortex", "mongo-0", "mongo", false), "mongo"),
                labelled(statefulPod("cortex", "api-0", "api", false), "api")));
        var never = webhooks.withLivePolicies(Map.of("r1", new io.meshform.providers.istio.injection.InjectorConfigMap(
                new io.meshform.providers.istio.injection.InjectorPolicy("enabled", List.of(new io.meshform.providers.istio.injection
                        .InjectSelector(Map.of("app", "mongo"), List.of(), true)), List.of()), null)));
        List<Diagnostic> ds = InjectionWithoutSidecars.check(MeshChecksTest.ctx(Environment.STAGING, labels), live(mongoAndApi, never));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().endsWith("but 1 running pod(s) have no sidecar"), ds.get(0).summary());
        assertTrue(ds.get(0).detail().contains("StatefulSet cortex/api") && !ds.get(0).detail().contains("mongo"), ds.get(0).detail());

        var unread = webhooks.withLivePolicies(Map.of("r1", new io.meshform.providers.istio.injection.InjectorConfigMap(null,
                "the ConfigMap istio-system/istio-sidecar-injector-r1: forbidden (HTTP 403)")));
        ds = InjectionWithoutSidecars.check(MeshChecksTest.ctx(Environment.STAGING, labels), live(mongoAndApi, unread));
        assertTrue(ds.get(0).summary().endsWith("but 2 running pod(s) have no sidecar"), ds.get(0).summary());
        assertTrue(ds.get(0).detail().contains("the injector policy of revision r1 could not be read (revision r1: the ConfigMap"
                + " istio-system/istio-sidecar-injector-r1: forbidden (HTTP 403)), so which pods get a sidecar assumes Istio's"
                + " defaults"), ds.get(0).detail());

        var installed = decl("istio.install.mesh", "version: \"1.30\"\nrevision: r1\n");
        ds = InjectionWithoutSidecars.check(MeshChecksTest.ctx(Environment.STAGING, labels, installed), live(mongoAndApi, unread));
        assertTrue(ds.get(0).summary().endsWith("but 2 running pod(s) have no sidecar"), ds.get(0).summary());
        assertTrue(!ds.get(0).detail().contains("could not be read"), "the stack installs r1: its render is the plan's word");
    }

    private static Pod labelled(Pod p, String app) {
        return new PodBuilder(p).editMetadata().addToLabels("app", app).endMetadata().build();
    }

    private static FakeLive live(Map<String, List<Pod>> pods, io.meshform.providers.istio.injection.Injectors injectors) {
        return new FakeLive(Map.of("cortex", Map.of("istio.io/rev", "r1")), pods) {
            @Override
            public io.meshform.providers.istio.injection.Injectors injectors() {
                return injectors;
            }
        };
    }
}

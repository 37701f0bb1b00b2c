package io.meshform.providers.istio.policy;

import io.meshform.providers.istio.IstioCrds;
import io.meshform.providers.istio.checks.MeshChecksTest;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.meshform.engine.spi.Action;
import io.meshform.providers.Harness;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@LiveClusterTest
class PeerAuthenticationIT {
    static final ResourceDefinitionContext PA = new ResourceDefinitionContext.Builder().withGroup("security.istio.io")
            .withVersion("v1").withKind("PeerAuthentication").withPlural("peerauthentications").withNamespaced(true).build();

    @BeforeEach
    void crds(ClusterContext cluster) {
        IstioCrds.ensure(cluster);
    }

    private static GenericKubernetesResource live(ClusterContext cluster, String ns, String name) {
        return cluster.client().genericKubernetesResources(PA).inNamespace(ns).withName(name).get();
    }

    @Test
    @SuppressWarnings("unchecked")
    void applyReadDiffAndDelete(ClusterContext cluster) {
        String ns = cluster.newNamespace();
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of())) {
            String addr = "istio.peerAuthentication.strict";
            var spec = yaml("namespace: " + ns + "\nname: default\nmtls: {mode: STRICT}\n");
            assertEquals(Action.CREATE, h.plan(addr, spec).action());
            var applied = h.apply(addr, spec);
            assertNotNull(applied.metadata().get("uid"));

            GenericKubernetesResource pa = live(cluster, ns, "default");
            assertEquals("meshform", pa.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
            assertEquals("STRICT", ((Map<String, Object>) ((Map<String, Object>) pa.get("spec")).get("mtls")).get("mode"));

            var noop = h.plan(addr, spec);
            assertEquals(Action.NOOP, noop.action(), noop.reason());
            assertEquals(spec, noop.before());

            var permissive = yaml("namespace: " + ns + "\nname: default\nmtls: {mode: PERMISSIVE}\n");
            var update = h.plan(addr, permissive);
            assertEquals(Action.UPDATE, update.action());
            assertEquals("mtls.mode changed", update.reason());
            h.apply(addr, permissive);
            assertEquals(Action.NOOP, h.plan(addr, permissive).action());

            h.delete(addr);
            assertNull(live(cluster, ns, "default"));
        }
    }

    @Test
    void strictMeshWideNamesPodsWithoutAPermissiveException(ClusterContext cluster) {
        // Injected namespace: a PeerAuthentication acts in the server's sidecar, so only pods with one (or one to come)
        // are judged; a pod without a sidecar accepts plaintext whatever the policy says.
        String ns = cluster.newInjectedNamespace();
        cluster.client().pods().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                .withNewMetadata().withName("job-1-driver").addToLabels("spark-role", "driver").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("registry.k8s.io/pause:3.10").endContainer().endSpec()
                .build()).create();
        cluster.client().pods().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                .withNewMetadata().withName("redis-master-0").addToLabels("app.kubernetes.io/name", "redis").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("registry.k8s.io/pause:3.10").endContainer().endSpec()
                .build()).create();
        var redis = io.meshform.providers.TestSpecs.decl("istio.peerAuthentication.redis",
                "namespace: " + ns + "\nselector: {matchLabels: {app.kubernetes.io/name: redis}}\nmtls: {mode: PERMISSIVE}\n");
        var mesh = io.meshform.providers.TestSpecs.decl("istio.peerAuthentication.mesh",
                "namespace: istio-system\nname: default\nmtls: {mode: STRICT}\n");
        var exception = io.meshform.providers.TestSpecs.decl("istio.peerAuthentication.driver",
                "namespace: " + ns + "\nselector: {matchLabels: {spark-role: driver}}\nmtls: {mode: PERMISSIVE}\n");
        // istio-injection=enabled gives a sidecar only where the default revision's injector is installed (Injectors
        // reads the webhook configurations' istio.io/rev labels): one that selects no namespace stands for it here.
        var injector = new io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder()
                .withNewMetadata().withName("istio-sidecar-injector-" + ns).addToLabels("istio.io/rev", "default").endMetadata()
                .addNewWebhook().withName("namespace.sidecar-injector.istio.io").withFailurePolicy("Ignore")
                .withSideEffects("None").withAdmissionReviewVersions("v1")
                .withNewNamespaceSelector().addToMatchLabels("meshform-test-selects-nothing", "true").endNamespaceSelector()
                .withNewClientConfig().withUrl("https://127.0.0.1:1/inject").endClientConfig().endWebhook().build();
        var webhooks = cluster.client().admissionRegistration().v1().mutatingWebhookConfigurations();
        webhooks.resource(injector).create();
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of())) {
            var check = h.types.checks().stream().filter(c -> c.name().equals("strict-without-exceptions")).findFirst().orElseThrow();
            var warned = check.check(MeshChecksTest.ctx(io.meshform.engine.model.Environment.PRODUCTION, mesh));
            org.junit.jupiter.api.Assertions.assertEquals(1, warned.size());
            org.junit.jupiter.api.Assertions.assertTrue(warned.get(0).detail().contains(ns + "/job-1-driver")
                    && warned.get(0).detail().contains(ns + "/redis-master-0"), warned.get(0).detail());
            var partly = check.check(MeshChecksTest.ctx(io.meshform.engine.model.Environment.PRODUCTION, mesh, exception));
            org.junit.jupiter.api.Assertions.assertTrue(partly.size() == 1 && !partly.get(0).detail().contains("job-1-driver")
                    && partly.get(0).detail().contains("redis-master-0"), partly.toString());
            org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of(),
                    check.check(MeshChecksTest.ctx(io.meshform.engine.model.Environment.PRODUCTION, mesh, exception, redis)));
        } finally {
            webhooks.withName(injector.getMetadata().getName()).delete();
        }
    }

    @Test
    void anObjectCreatedByHandIsFoundAndSaidNotToBeMeshforms(ClusterContext cluster) {
        String ns = cluster.newNamespace();
        GenericKubernetesResource byHand = new GenericKubernetesResourceBuilder().withApiVersion("security.istio.io/v1")
                .withKind("PeerAuthentication").withNewMetadata().withName("mongo").withNamespace(ns).endMetadata().build();
        byHand.setAdditionalProperty("spec", Map.of("selector", Map.of("matchLabels", Map.of("app.kubernetes.io/name", "mongodb")),
                "mtls", Map.of("mode", "PERMISSIVE")));
        cluster.client().genericKubernetesResources(PA).inNamespace(ns).resource(byHand).create();
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of())) {
            String addr = "istio.peerAuthentication.mongo";
            var spec = yaml("namespace: " + ns + "\nselector: {matchLabels: {app.kubernetes.io/name: mongodb}}\nmtls: {mode: PERMISSIVE}\n");
            var address = io.meshform.engine.model.ResourceAddress.parse(addr);
            var owner = h.read(address, spec).ownership();
            assertTrue(owner.applies() && owner.lineage() == null, "no mark: the engine refuses it unless adopted");
            assertEquals("PeerAuthentication " + ns + "/mongo", owner.object());
            assertEquals(ns + "/mongo", owner.id(), "what `meshform import` takes");
            assertEquals(Action.NOOP, h.plan(addr, spec).action());
            h.apply(addr, spec);
            assertTrue(h.read(address, spec).ownership().madeBy(h.lineage, addr), "applied, it carries the mark");
            assertEquals(Action.NOOP, h.plan(addr, spec).action());
        }
    }
}

package io.meshform.providers.kubernetes;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.ReadRequest;
import io.meshform.engine.spi.ResourceRef;
import io.meshform.providers.Harness;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.FinalizerHold;
import io.meshform.testkit.LiveClusterTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@LiveClusterTest
class NamespaceAndLabelsIT {

    private static Map<String, String> labels(KubernetesClient c, String ns) {
        return c.namespaces().withName(ns).get().getMetadata().getLabels();
    }

    @Test
    void namespaceIsCreatedThenAdoptedWithoutTouchingOtherLabels(ClusterContext cluster) {
        String name = "mf-it-ns-" + Long.toString(System.nanoTime(), 36);
        KubernetesClient c = cluster.client();
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of())) {
            var spec = yaml("name: " + name + "\nlabels: {meshform.io/testkit: \"true\", team: pay}\n");
            assertEquals(Action.CREATE, h.plan("kubernetes.namespace.app", spec).action());
            var applied = h.apply("kubernetes.namespace.app", spec);
            assertNotNull(applied.metadata().get("uid"));
            assertNull(applied.metadata().get("adopted"), "created by meshform, so destroy deletes it");
            assertEquals("meshform/kubernetes.namespace.app", applied.metadata().get("fieldManager"));
            assertEquals("pay", labels(c, name).get("team"));
            assertEquals(Action.NOOP, h.plan("kubernetes.namespace.app", spec).action());

            // Someone else adds a label: meshform neither sees nor removes it.
            c.resource(new NamespaceBuilder().withNewMetadata().withName(name).addToLabels("owner", "ops").endMetadata().build())
                    .fieldManager("kubectl-label").serverSideApply();
            assertEquals(Action.NOOP, h.plan("kubernetes.namespace.app", spec).action());
            var changed = yaml("name: " + name + "\nlabels: {meshform.io/testkit: \"true\"}\n");
            var plan = h.plan("kubernetes.namespace.app", changed);
            assertEquals(Action.UPDATE, plan.action());
            assertEquals("labels.team changed", plan.reason());
            h.apply("kubernetes.namespace.app", changed);
            assertNull(labels(c, name).get("team"), "a label meshform owned and dropped is removed");
            assertEquals("ops", labels(c, name).get("owner"));

            h.delete("kubernetes.namespace.app");
            assertNull(c.namespaces().withName(name).get(), "destroy returns once the namespace is gone: " + h.progress);
        } finally {
            c.namespaces().withName(name).delete();
        }
    }

    /**
     * The delete half of a replacement ({@code --replace}) returns once the namespace is gone. Here a ConfigMap in it,
     * held by another client's finalizer for a few seconds, keeps the namespace Terminating (the namespace controller
     * deletes what it holds first). Before, the delete returned at once ("terminating in the background"), the create
     * half applied onto the terminating namespace (the API server takes that), and the namespace meshform had just
     * recorded then vanished.
     */
    @Test
    void theDeleteHalfOfAReplacementWaitsUntilTheNamespaceIsGone(ClusterContext cluster) throws Exception {
        String name = "mf-it-repl-" + Long.toString(System.nanoTime(), 36);
        KubernetesClient c = cluster.client();
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of())) {
            var spec = yaml("name: " + name + "\nlabels: {meshform.io/testkit: \"true\"}\n");
            h.apply("kubernetes.namespace.app", spec);
            String before = c.namespaces().withName(name).get().getMetadata().getUid();
            var held = c.configMaps().inNamespace(name);
            held.resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata().withName("held")
                    .endMetadata().build()).create();
            // Released 3 s after the namespace controller began deleting it: the delete step must still be waiting.
            try (var hold = FinalizerHold.add(held.withName("held"))
                    .releaseWhenDeleting(Duration.ofSeconds(3), Duration.ofSeconds(60))) {
                h.delete("kubernetes.namespace.app");
                h.apply("kubernetes.namespace.app", spec);  // the create half, at once
                assertTrue(hold.released(Duration.ofSeconds(60)), "the namespace's ConfigMap was deleted");
            }
            Namespace after = c.namespaces().withName(name).get();
            assertNotNull(after, "the replacement's namespace is there once the old one is gone: " + h.progress);
            assertTrue(!before.equals(after.getMetadata().getUid()) && after.getMetadata().getDeletionTimestamp() == null,
                    "a new namespace, not the one deleted");
            assertEquals(Action.NOOP, h.plan("kubernetes.namespace.app", spec).action());
            assertTrue(h.progress.stream().anyMatch(l -> l.startsWith("waiting up to 300s for Namespace " + name + " to be gone")),
                    h.progress.toString());
        } finally {
            c.namespaces().withName(name).delete();
        }
    }

    @Test
    void destroyingAnAdoptedNamespaceRemovesOnlyMeshformsLabels(ClusterContext cluster) {
        String name = cluster.newNamespace();
        KubernetesClient c = cluster.client();
        c.resource(new NamespaceBuilder().withNewMetadata().withName(name).addToLabels("owner", "cortex").endMetadata().build())
                .fieldManager("helm").serverSideApply();
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of())) {
            var address = io.meshform.engine.model.ResourceAddress.parse("kubernetes.namespace.cortex");
            var spec = yaml("name: " + name + "\nlabels: {istio-injection: enabled}\n");
            var owner = h.read(address, spec).ownership();
            assertTrue(owner.applies() && owner.lineage() == null, "made by someone else: the engine refuses it unless adopted");
            assertEquals(Action.UPDATE, h.plan("kubernetes.namespace.cortex", spec).action());
            h.apply("kubernetes.namespace.cortex", spec);
            assertTrue(h.read(address, spec).ownership().madeBy(h.lineage, address.toString()), "marked once applied");
            assertFalse(h.read(address, spec).value().has("annotations"), "the mark is bookkeeping, never a declared annotation");

            h.release("kubernetes.namespace.cortex");
            Namespace kept = c.namespaces().withName(name).get();
            assertNotNull(kept, "the adopted namespace stays");
            assertNull(kept.getMetadata().getDeletionTimestamp(), "and is not terminating");
            assertNull(labels(c, name).get("istio-injection"), "meshform's label is removed");
            assertEquals("cortex", labels(c, name).get("owner"), "its owner's labels stay");
            assertFalse(c.namespaces().withName(name).get().getMetadata().getAnnotations() != null
                    && c.namespaces().withName(name).get().getMetadata().getAnnotations().containsKey("meshform.io/lineage"),
                    "and meshform's mark goes");
        }
    }

    @Test
    void labelsAreOwnedConflictsNameTheOtherManagerAndRemovalWorks(ClusterContext cluster) {
        String ns = cluster.newNamespace();
        KubernetesClient c = cluster.client();
        c.resource(new NamespaceBuilder().withNewMetadata().withName(ns).addToLabels("team", "ops").endMetadata().build())
                .fieldManager("kubectl-label").serverSideApply();
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of())) {
            String addr = "kubernetes.labels.inject";
            var spec = yaml("kind: Namespace\nname: " + ns + "\nlabels: {istio-injection: enabled, team: pay}\n");
            var plan = h.plan(addr, spec);
            assertEquals(Action.UPDATE, plan.action());
            // Besides the conflict, a cluster without an Istio injector (the test bed between the install tests) is
            // told that istio-injection=enabled injects nothing there; only the conflict is this test's.
            var conflicts = plan.warnings().stream().filter(w -> !w.contains("names no installed Istio revision")).toList();
            assertEquals(1, conflicts.size(), plan.warnings().toString());
            assertTrue(conflicts.get(0).contains("kubectl-label") && conflicts.get(0).contains("force: true"), conflicts.get(0));

            var e = assertThrows(DiagnosticsException.class, () -> h.apply(addr, spec));
            assertTrue(e.getMessage().contains("kubectl-label"), e.getMessage());
            assertTrue(e.getMessage().contains("force: true"), e.getMessage());
            assertEquals("ops", labels(c, ns).get("team"));

            var forced = yaml("kind: Namespace\nname: " + ns + "\nforce: true\nlabels: {istio-injection: enabled, team: pay}\n");
            h.apply(addr, forced);
            assertEquals("pay", labels(c, ns).get("team"));
            assertEquals("enabled", labels(c, ns).get("istio-injection"));
            assertEquals(Action.NOOP, h.plan(addr, forced).action());

            var fewer = yaml("kind: Namespace\nname: " + ns + "\nlabels: {team: pay}\n");
            var removal = h.plan(addr, fewer);
            assertEquals(Action.UPDATE, removal.action());
            assertEquals("labels.istio-injection changed", removal.reason());
            h.apply(addr, fewer);
            assertNull(labels(c, ns).get("istio-injection"), "dropping a label from the file removes it");

            h.delete(addr);
            assertNull(labels(c, ns).get("team"), "destroy removes meshform's labels");
            assertEquals("true", labels(c, ns).get(ClusterContext.NAMESPACE_LABEL), "and keeps the others");
            assertNotNull(c.namespaces().withName(ns).get(), "and never the namespace");
        }
    }

    @Test
    void labellingAMissingNamespaceIsAPlanErrorAndNeverCreatesIt(ClusterContext cluster) {
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of())) {
            var spec = yaml("name: mf-it-absent-x1\nlabels: {istio-injection: enabled}\n");
            var e = assertThrows(DiagnosticsException.class, () -> h.plan("kubernetes.labels.x", spec));
            assertTrue(e.getMessage().contains("namespace mf-it-absent-x1 does not exist; declare it with kubernetes.namespace or create it"),
                    e.getMessage());
            assertThrows(DiagnosticsException.class, () -> h.apply("kubernetes.labels.x", spec));
            assertNull(cluster.client().namespaces().withName("mf-it-absent-x1").get());
        }
    }

    @Test
    void aNoOpReadIsOneListWhateverTheNumberOfObjects(ClusterContext cluster) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            names.add(cluster.newNamespace());
        }
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of())) {
            var type = h.types.get("kubernetes.labels");
            List<ResourceRef> refs = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                refs.add(new ResourceRef(ResourceAddress.parse("kubernetes.labels.n" + i),
                        yaml("name: " + names.get(i) + "\nlabels: {meshform.io/testkit: \"true\"}\n")));
            }
            type.read(new ReadRequest(refs.subList(0, 1))); // warm-up: client start
            long before = h.requests();
            assertEquals(1, type.read(new ReadRequest(refs.subList(0, 1))).size());
            long one = h.requests() - before;
            before = h.requests();
            assertEquals(5, type.read(new ReadRequest(refs)).size());
            long five = h.requests() - before;
            assertEquals(1, one);
            assertEquals(1, five, "one LIST for five namespaces");
        }
    }

    @Test
    void aNamespaceAndALabelsResourceOnItKeepEachOthersLabels(ClusterContext cluster) {
        String name = "mf-it-both-" + Long.toString(System.nanoTime(), 36);
        KubernetesClient c = cluster.client();
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of())) {
            var ns = yaml("name: " + name + "\nlabels: {meshform.io/testkit: \"true\", team: pay}\n");
            var injection = yaml("kind: Namespace\nname: " + name + "\nlabels: {istio-injection: enabled}\n");
            h.apply("kubernetes.namespace.app", ns);
            h.apply("kubernetes.labels.app-injection", injection);
            h.apply("kubernetes.namespace.app", ns);
            assertEquals("enabled", labels(c, name).get("istio-injection"), "re-applying the namespace kept the other resource's label");
            assertEquals("pay", labels(c, name).get("team"));
            assertEquals(Action.NOOP, h.plan("kubernetes.namespace.app", ns).action());
            assertEquals(Action.NOOP, h.plan("kubernetes.labels.app-injection", injection).action());
        } finally {
            c.namespaces().withName(name).delete();
        }
    }
}

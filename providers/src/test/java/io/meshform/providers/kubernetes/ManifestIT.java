package io.meshform.providers.kubernetes;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.spi.Action;
import io.meshform.providers.Harness;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

@LiveClusterTest
class ManifestIT {

    @Test
    void dryRunRejectionIsAPlanErrorNamingTheObject(ClusterContext cluster) {
        String ns = cluster.newNamespace();
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of())) {
            var unknownField = yaml("manifest:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: cfg, namespace: " + ns + "}\n"
                    + "  datta: {a: b}\n");
            long t0 = System.nanoTime();
            var e = assertThrows(DiagnosticsException.class, () -> h.plan("kubernetes.manifest.cfg", unknownField));
            System.err.println("[ManifestIT] " + (System.nanoTime() - t0) / 1_000_000 + " ms, " + h.requests() + " requests:\n" + e.getMessage());
            assertTrue(e.getMessage().contains("ConfigMap " + ns + "/cfg"), e.getMessage());
            assertTrue(e.getMessage().contains("datta"), e.getMessage());

            var invalid = yaml("manifest:\n  apiVersion: v1\n  kind: Service\n  metadata: {name: svc, namespace: " + ns + "}\n"
                    + "  spec: {ports: [{port: 99999}]}\n");
            t0 = System.nanoTime();
            var e2 = assertThrows(DiagnosticsException.class, () -> h.plan("kubernetes.manifest.svc", invalid));
            System.err.println("[ManifestIT] " + (System.nanoTime() - t0) / 1_000_000 + " ms, " + h.requests() + " requests:\n" + e2.getMessage());
            assertTrue(e2.getMessage().contains("Service " + ns + "/svc") && e2.getMessage().contains("API server says"), e2.getMessage());
            assertNull(cluster.client().services().inNamespace(ns).withName("svc").get(), "a dry run creates nothing");
        }
    }

    /**
     * The real API server's 422 names the field it refuses (`spec.ports[0].port`): the plan error stands at that field of
     * the stack (it had no file or line), as kubectl points at the path.
     */
    @Test
    void aDryRunRejectionStandsAtTheFieldTheServerNames(ClusterContext cluster, @org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) throws Exception {
        String ns = cluster.newNamespace();
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("meshform.yaml"), """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: demo}
                resources:
                  - type: kubernetes.manifest
                    name: svc
                    spec:
                      manifest:
                        apiVersion: v1
                        kind: Service
                        metadata: {name: svc, namespace: %s}
                        spec:
                          ports:
                            - {port: 99999}
                """.formatted(ns));
        var types = new io.meshform.engine.spi.TypeRegistry(new io.meshform.providers.MeshformProviderFactory()
                .create(new io.meshform.engine.spi.ProviderSettings(Map.of())));
        var stack = new io.meshform.engine.load.StackLoader(types).load(file, io.meshform.engine.load.VariableInputs.none()).stack();
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of())) {
            h.context = io.meshform.engine.spi.StackContext.of(stack);
            var address = io.meshform.engine.model.ResourceAddress.parse("kubernetes.manifest.svc");
            var e = assertThrows(DiagnosticsException.class, () -> h.plan(address.toString(), stack.find(address).orElseThrow().spec()));
            var d = e.diagnostics().get(0);
            assertTrue(d.summary().contains("dry-run apply Service " + ns + "/svc failed (HTTP 422)"), d.summary());
            assertTrue(d.detail().contains("spec.ports[0].port"), d.detail());
            assertEquals(file + ":14:22", String.valueOf(d.range()), "at the port the server refuses");
        }
    }

    @Test
    void createNoopUpdateDelete(ClusterContext cluster) {
        String ns = cluster.newNamespace();
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of())) {
            String addr = "kubernetes.manifest.cfg";
            var spec = yaml("manifest:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: cfg, namespace: " + ns + "}\n"
                    + "  data: {mode: a}\n");
            assertEquals(Action.CREATE, h.plan(addr, spec).action());
            h.apply(addr, spec);
            var noop = h.plan(addr, spec);
            assertEquals(Action.NOOP, noop.action(), noop.reason());
            var changed = yaml(spec.toString().replace("\"mode\":\"a\"", "\"mode\":\"b\""));
            var update = h.plan(addr, changed);
            assertEquals(Action.UPDATE, update.action());
            assertEquals("data.mode changed", update.reason());
            h.apply(addr, changed);
            assertEquals("b", cluster.client().configMaps().inNamespace(ns).withName("cfg").get().getData().get("mode"));
            h.delete(addr);
            assertNull(cluster.client().configMaps().inNamespace(ns).withName("cfg").get());
        }
    }

    @Test
    void aCrdWaitedForUntilEstablishedThenACustomResourceOfIt(ClusterContext cluster) {
        String ns = cluster.newNamespace();
        String group = "mf" + Long.toString(System.nanoTime(), 36) + ".example.com";
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of())) {
            var crd = yaml("""
                    manifest:
                      apiVersion: apiextensions.k8s.io/v1
                      kind: CustomResourceDefinition
                      metadata: {name: gadgets.%s}
                      spec:
                        group: %s
                        scope: Namespaced
                        names: {plural: gadgets, singular: gadget, kind: Gadget}
                        versions:
                          - name: v1
                            served: true
                            storage: true
                            schema:
                              openAPIV3Schema:
                                type: object
                                properties:
                                  spec: {type: object, properties: {size: {type: integer}}}
                    wait: {condition: Established, timeoutSeconds: 60}
                    """.formatted(group, group));
            assertEquals(Action.CREATE, h.plan("kubernetes.manifest.crd", crd).action());
            h.apply("kubernetes.manifest.crd", crd);
            assertTrue(h.progress.stream().anyMatch(l -> l.contains("Established")), h.progress.toString());

            var gadget = yaml("manifest:\n  apiVersion: " + group + "/v1\n  kind: Gadget\n  metadata: {name: g1, namespace: " + ns
                    + "}\n  spec: {size: 3}\n");
            assertEquals(Action.CREATE, h.plan("kubernetes.manifest.gadget", gadget).action());
            h.apply("kubernetes.manifest.gadget", gadget);
            assertEquals(Action.NOOP, h.plan("kubernetes.manifest.gadget", gadget).action());

            // The schema is enforced at plan time, by the server's dry run.
            var wrong = yaml("manifest:\n  apiVersion: " + group + "/v1\n  kind: Gadget\n  metadata: {name: g2, namespace: " + ns
                    + "}\n  spec: {size: big}\n");
            RuntimeException e = assertThrows(RuntimeException.class, () -> h.plan("kubernetes.manifest.bad", wrong));
            assertTrue(e.getMessage().contains("g2"), e.getMessage());

            var nsWait = yaml("manifest:\n  apiVersion: v1\n  kind: Namespace\n  metadata: {name: " + ns + "-w, labels: {meshform.io/testkit: \"true\"}}\n"
                    + "wait: {field: status.phase, value: Active, timeoutSeconds: 30}\n");
            h.apply("kubernetes.manifest.ns", nsWait);
            assertTrue(h.progress.stream().anyMatch(l -> l.contains("status.phase = Active")), h.progress.toString());
            h.delete("kubernetes.manifest.ns");
            h.delete("kubernetes.manifest.gadget");
            h.delete("kubernetes.manifest.crd");
        }
    }
}

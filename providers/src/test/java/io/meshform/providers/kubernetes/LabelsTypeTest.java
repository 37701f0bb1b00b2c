package io.meshform.providers.kubernetes;

import static io.meshform.providers.TestSpecs.errors;
import static io.meshform.providers.TestSpecs.warnings;
import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceListBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.model.Environment;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.PlanRequest;
import io.meshform.engine.spi.ResourceRef;
import io.meshform.providers.TestSpecs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient
public class LabelsTypeTest {
    KubernetesMockServer server;
    KubernetesClient client;

    static ManagedFieldsEntry owns(String manager, String operation, String... labelKeys) {
        FieldsV1 f = new FieldsV1();
        Map<String, Object> labels = new java.util.LinkedHashMap<>();
        for (String k : labelKeys) {
            labels.put("f:" + k, Map.of());
        }
        f.setAdditionalProperty("f:metadata", Map.of("f:labels", labels));
        return new ManagedFieldsEntryBuilder().withManager(manager).withOperation(operation).withFieldsType("FieldsV1")
                .withFieldsV1(f).build();
    }

    public static Namespace cortex() {
        return new NamespaceBuilder().withNewMetadata().withName("cortex").withResourceVersion("42")
                .addToLabels(Map.of("istio-injection", "disabled", "team", "pay", "old", "x", "kubernetes.io/metadata.name", "cortex"))
                .withManagedFields(owns("kubectl-label", "Update", "istio-injection", "team"), owns("meshform/kubernetes.labels.cortex", "Apply", "old"))
                .endMetadata().build();
    }

    @Test
    void validation() {
        LabelsType t = new LabelsType(new KubeConnection(client, "meshform"));
        assertEquals(List.of(), errors(t.validate(yaml("kind: Namespace\nname: cortex\nlabels: {istio-injection: enabled}\n"))));
        assertEquals(List.of("/labels: missing required field `labels`"), errors(t.validate(yaml("name: cortex\n"))));
        assertEquals(List.of("/labels/istio-injection: the value of label `istio-injection` must be a string",
                        "/labels/bad key: invalid label key \"bad key\""),
                errors(t.validate(yaml("name: cortex\nlabels: {istio-injection: true, \"bad key\": x}\n"))));
        assertEquals(List.of("/apiVersion: `apiVersion` is required for kind Deployment"),
                errors(t.validate(yaml("kind: Deployment\nname: web\nnamespace: cortex\nlabels: {a: b}\n"))));
        // A mistyped default kind is said at the kind, not as a missing apiVersion.
        assertEquals(List.of("/kind: unknown kind `Namespce` without an `apiVersion`"),
                errors(t.validate(yaml("kind: Namespce\nname: cortex\nlabels: {a: b}\n"))));
        // Which label values Istio acts on is the Istio provider's to say (InjectionPlanTest): none here.
        assertEquals(0, warnings(t.validate(yaml("name: cortex\nlabels: {istio-injection: enabled, istio.io/rev: 1-28}\n"))).size());
    }

    @Test
    void oneListReadProjectsDeclaredAndOwnedKeysAndPlanWarnsAboutOtherManagers() {
        server.expect().get().withPath("/api/v1/namespaces")
                .andReturn(200, new NamespaceListBuilder().withItems(cortex()).build()).always();
        LabelsType t = new LabelsType(new KubeConnection(client, "meshform"));
        var spec = yaml("kind: Namespace\nname: cortex\nlabels: {istio-injection: enabled}\n");
        var address = ResourceAddress.parse("kubernetes.labels.cortex");
        var live = t.read(new io.meshform.engine.spi.ReadRequest(List.of(new ResourceRef(address, spec)))).get(address);
        assertEquals("42", live.version());
        assertEquals(yaml("kind: Namespace\nname: cortex\nlabels: {istio-injection: disabled, old: x}\n"), live.value());
        assertEquals(1, server.getRequestCount());

        var change = t.plan(new PlanRequest(address, spec, null, live));
        assertEquals(Action.UPDATE, change.action());
        assertEquals("labels.istio-injection, labels.old changed", change.reason());
        assertEquals(1, change.warnings().size());
        String w = change.warnings().get(0);
        assertTrue(w.contains("kubectl-label") && w.contains("use force: true"), w);

        var forced = t.plan(new PlanRequest(address, yaml("name: cortex\nforce: true\nlabels: {istio-injection: enabled}\n"), null, live));
        assertTrue(forced.warnings().get(0).contains("force: true takes it over"), forced.warnings().toString());
    }

    @Test
    void sameValueAsAnotherManagerIsNoConflict() {
        LabelsType t = new LabelsType(new KubeConnection(client, "meshform"));
        var spec = yaml("name: cortex\nlabels: {team: pay}\n");
        var projected = t.project(spec, Json.toNode(cortex()), "meshform/kubernetes.labels.cortex");
        assertEquals(yaml("name: cortex\nlabels: {team: pay, old: x}\n"), projected);
    }

    @Test
    void aMissingNamespaceIsReportedAtTheResourcesLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("stack.yaml");
        java.nio.file.Files.writeString(file, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: t}
                resources:
                  - type: kubernetes.labels
                    name: a
                    spec: {name: nope-a, labels: {team: a}}
                """);
        var types = new io.meshform.engine.spi.TypeRegistry(new io.meshform.providers.MeshformProviderFactory()
                .create(new io.meshform.engine.spi.ProviderSettings(Map.of())));
        var stack = new io.meshform.engine.load.StackLoader(types).load(file,
                new io.meshform.engine.load.VariableInputs(Map.of(), List.of(), Map.of())).stack();
        var decl = stack.resources().get(0);
        LabelsType t = new LabelsType(new KubeConnection(client, "meshform"));
        var e = assertThrows(DiagnosticsException.class, () -> t.plan(new PlanRequest(decl.address(), decl.spec(), null, null,
                io.meshform.engine.spi.StackContext.of(stack))));
        assertEquals(1, e.diagnostics().size(), e.getMessage());
        var d = e.diagnostics().get(0);
        assertTrue(d.isError() && d.summary().startsWith("kubernetes.labels.a: namespace nope-a does not exist"), d.summary());
        assertTrue(d.range() != null && d.range().toString().contains("stack.yaml:7:"), "file:line:col of the resource: " + d.range());
    }

    @Test
    void missingNamespaceIsAPlanErrorUnlessTheStackCreatesIt() {
        LabelsType t = new LabelsType(new KubeConnection(client, "meshform"));
        var decl = TestSpecs.decl("kubernetes.labels.cortex", "name: cortex\nlabels: {istio-injection: enabled}\n");
        var e = assertThrows(DiagnosticsException.class, () -> t.plan(new PlanRequest(decl.address(), decl.spec(), null, null)));
        assertTrue(e.getMessage().contains("namespace cortex does not exist; declare it with kubernetes.namespace or create it")
                || e.getMessage().contains("namespace cortex does not exist"), e.getMessage());

        var ns = TestSpecs.decl("kubernetes.namespace.cortex", "name: cortex\n");
        var stack = TestSpecs.stack(Environment.STAGING, ns, decl);
        assertEquals(java.util.Set.of(ns.address()), t.implicitDependencies(decl, stack));
        // A fresh instance that never saw the graph: the stack travels in the request.
        LabelsType fresh = new LabelsType(new KubeConnection(client, "meshform"));
        assertEquals(Action.CREATE, fresh.plan(new PlanRequest(decl.address(), decl.spec(), null, null,
                io.meshform.engine.spi.StackContext.of(stack))).action());
    }
}

package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A manifest of a namespaced kind names its namespace, or validate refuses it at its metadata: the kubeconfig
 * context's namespace would make the stack name different objects in different places (and two declarations, one
 * without a namespace and one naming the context's, were one object nothing could tell apart offline). The kind's
 * scope comes from the served kinds or from the stack's own CRD.
 */
class ManifestNamespaceTest {
    @TempDir
    Path dir;

    private HelpTest.Result validate(String resources) throws Exception {
        Path stack = dir.resolve("stack.yaml");
        Files.writeString(stack, "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: t}\nresources:\n" + resources);
        return HelpTest.run("validate", "-f", stack.toString());
    }

    @Test
    void aNamespacedKindWithoutNamespaceIsRefusedAtItsMetadata() throws Exception {
        HelpTest.Result r = validate("""
                  - type: kubernetes.manifest
                    name: cm
                    spec:
                      manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: x}, data: {k: v}}
                """);
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("stack.yaml:8:") && r.err().contains("a ConfigMap lives in a namespace: metadata.namespace"
                + " is required"), r.err());
        assertTrue(r.err().contains("meshform does not take the namespace of the kubeconfig's context"), r.err());
    }

    @Test
    void clusterScopedKindsAndNamedNamespacesPass() throws Exception {
        HelpTest.Result r = validate("""
                  - type: kubernetes.manifest
                    name: cm
                    spec:
                      manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: x, namespace: default}, data: {k: v}}
                  - type: kubernetes.manifest
                    name: role
                    spec:
                      manifest: {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: r}, rules: []}
                """);
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void theStacksOwnCrdSaysWhetherItsKindIsNamespaced() throws Exception {
        String crd = """
                  - type: kubernetes.manifest
                    name: widgets
                    spec:
                      manifest:
                        apiVersion: apiextensions.k8s.io/v1
                        kind: CustomResourceDefinition
                        metadata: {name: widgets.example.com}
                        spec:
                          group: example.com
                          names: {kind: Widget, plural: widgets}
                          scope: %s
                          versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]
                  - type: kubernetes.manifest
                    name: w
                    spec: {manifest: {apiVersion: example.com/v1, kind: Widget, metadata: {name: w%s}}}
                """;
        HelpTest.Result missing = validate(crd.formatted("Namespaced", ""));
        assertEquals(1, missing.code(), missing.err());
        assertTrue(missing.err().contains("kubernetes.manifest.w: a Widget lives in a namespace: metadata.namespace is required"
                + " (its CustomResourceDefinition in this stack says scope: Namespaced)"), missing.err());
        assertEquals(0, validate(crd.formatted("Namespaced", ", namespace: team")).code());
        assertEquals(0, validate(crd.formatted("Cluster", "")).code());
        HelpTest.Result named = validate(crd.formatted("Cluster", ", namespace: team"));
        assertEquals(1, named.code(), named.err());
        assertTrue(named.err().contains("Widget is cluster-scoped (its CustomResourceDefinition in this stack says scope:"
                + " Cluster): it has no namespace"), named.err());
    }
}

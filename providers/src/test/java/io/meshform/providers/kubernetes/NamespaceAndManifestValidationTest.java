package io.meshform.providers.kubernetes;

import static io.meshform.providers.TestSpecs.errors;
import static io.meshform.providers.TestSpecs.warnings;
import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meshform.engine.spi.ProviderSettings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NamespaceAndManifestValidationTest {
    private final KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of()));

    @Test
    void namespace() {
        NamespaceType t = new NamespaceType(kube);
        assertEquals(List.of(), errors(t.validate(yaml("name: cortex\nlabels: {istio-injection: enabled}\nannotations: {a/b: c}\n"))));
        assertEquals(List.of("/name: namespace name \"Cortex_1\" is not a valid DNS label"), errors(t.validate(yaml("name: Cortex_1\n"))));
        assertEquals(List.of("/lables: unknown field `lables` in kubernetes.namespace", "/name: missing required field `name`"),
                errors(t.validate(yaml("lables: {a: b}\n"))).stream().sorted().toList());
    }

    @Test
    void manifest() {
        ManifestType t = new ManifestType(kube);
        assertEquals(List.of(), errors(t.validate(yaml(
                "manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: a, namespace: b}}\nwait: {condition: Ready, timeoutSeconds: 30}\n"))));
        assertEquals(List.of(": set exactly one of `manifest` (the object inline) or `file` (a YAML file)"),
                errors(t.validate(yaml("manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: a, namespace: b}}\nfile: x.yaml\n"))));
        assertEquals(List.of("/manifest/metadata: a ConfigMap lives in a namespace: metadata.namespace is required"),
                errors(t.validate(yaml("manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n"))));
        assertEquals(List.of(), errors(t.validate(yaml("manifest: {apiVersion: v1, kind: Namespace, metadata: {name: a}}\n"))));
        assertEquals(List.of("/manifest/kind: missing required field `kind`"),
                errors(t.validate(yaml("manifest: {apiVersion: v1, metadata: {name: a}}\n"))));
        assertEquals(List.of("/wait/condition: `condition` must be one of Available, Established, Ready, not \"Avaliable\""),
                errors(t.validate(yaml("file: a.yaml\nwait: {condition: Avaliable}\n"))));
        assertEquals(1, warnings(t.validate(yaml("manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: a, resourceVersion: \"5\"}}\n"))).size());
    }
}

package io.meshform.providers.kubernetes;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.spi.ProviderSettings;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Where a value written in the stack is a secret itself, so that one too short to mask is refused at load: a Secret's
 * data, not its annotations, which are masked only as possible copies of the data (a sync-wave "1" is no secret).
 */
class SecretValuePathsTest {
    private final KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of()));

    @Test
    void aSecretsDataHoldsSecretsItsAnnotationsDoNot() {
        ManifestType manifest = new ManifestType(kube);
        JsonNode secret = yaml("manifest:\n  apiVersion: v1\n  kind: Secret\n  metadata:\n    name: db\n    namespace: a\n"
                + "    annotations: {argocd.argoproj.io/sync-wave: \"1\"}\n  stringData: {pin: abcd}\n");
        assertTrue(manifest.sensitivePaths(secret).contains("/manifest/metadata/annotations/*"));
        assertEquals(Set.of("/manifest/data/*", "/manifest/stringData/*"), manifest.secretValuePaths(secret));
    }

    @Test
    void annotationsOfASecretDeclaredOnTheirOwnAreMaskedButNotSecrets() {
        LabelsType labels = new LabelsType(kube);
        JsonNode spec = yaml("kind: Secret\napiVersion: v1\nnamespace: a\nname: db\nannotations: {x: \"1\"}\n");
        assertEquals(Set.of("/annotations/*"), labels.sensitivePaths(spec));
        assertEquals(Set.of(), labels.secretValuePaths(spec));
    }
    /** A wait for a Secret's data field names the value it waits for: recorded by digest, as the data is. */
    @Test
    void aWaitForASecretsDataFieldHoldsTheSecret() {
        ManifestType manifest = new ManifestType(kube);
        String secret = "manifest:\n  apiVersion: v1\n  kind: Secret\n  metadata: {name: db, namespace: a}\n"
                + "  data: {password: cGFzc3dvcmQ=}\n";
        JsonNode onData = yaml(secret + "wait: {field: data.password, value: cGFzc3dvcmQ=}\n");
        assertTrue(manifest.sensitivePaths(onData).contains("/wait/value"), manifest.sensitivePaths(onData).toString());
        assertTrue(manifest.secretValuePaths(onData).contains("/wait/value"));
        JsonNode onAnnotation = yaml(secret + "wait: {field: metadata.annotations.x, value: \"1\"}\n");
        assertTrue(manifest.sensitivePaths(onAnnotation).contains("/wait/value"), "a possible copy, as the annotation");
        assertTrue(!manifest.secretValuePaths(onAnnotation).contains("/wait/value"), "not a secret itself: \"1\" is allowed");
        JsonNode onType = yaml(secret + "wait: {field: type, value: Opaque}\n");
        assertTrue(!manifest.sensitivePaths(onType).contains("/wait/value"), "the Secret's type is no secret");
        JsonNode configMap = yaml("manifest:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c, namespace: a}\n"
                + "  data: {mode: on}\nwait: {field: data.mode, value: on}\n");
        assertTrue(!manifest.sensitivePaths(configMap).contains("/wait/value"), "a ConfigMap's data is no secret");
    }
}

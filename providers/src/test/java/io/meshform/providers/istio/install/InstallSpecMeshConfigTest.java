package io.meshform.providers.istio.install;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meshform.providers.kubernetes.Json;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The mesh config as the stack writes it (the fallback when istioctl cannot render), and the render's ConfigMap. */
class InstallSpecMeshConfigTest {

    @Test
    void specMeshConfigMergesOverValuesMeshConfigAsIstioctlDoes() {
        JsonNode mesh = InstallSpec.meshConfig(yaml("""
                version: "1.30"
                meshConfig:
                  defaultConfig: {holdApplicationUntilProxyStarts: true}
                  extensionProviders: [{name: a, zipkin: {service: z.ns.svc.cluster.local, port: 9411}}]
                values:
                  global: {istioNamespace: mesh-ns}
                  meshConfig:
                    pathNormalization: {normalization: NONE}
                    defaultConfig: {concurrency: 2}
                    extensionProviders: [{name: b, zipkin: {service: y.ns.svc.cluster.local, port: 9411}}]
                """));
        assertEquals("NONE", mesh.path("pathNormalization").path("normalization").asString());
        // maps merge key by key, lists are replaced (values.Map.MergeFrom)
        assertEquals(2, mesh.path("defaultConfig").path("concurrency").asInt());
        assertEquals(true, mesh.path("defaultConfig").path("holdApplicationUntilProxyStarts").asBoolean());
        assertEquals(List.of("a"), mesh.path("extensionProviders").valueStream().map(p -> p.path("name").asString()).toList());
        assertEquals("mesh-ns", mesh.path("rootNamespace").asString());
    }

    @Test
    void rootNamespaceOfTheMeshConfigWinsOverIstioNamespace() {
        JsonNode mesh = InstallSpec.meshConfig(yaml("""
                version: "1.30"
                meshConfig: {rootNamespace: root}
                values: {global: {istioNamespace: mesh-ns}}
                """));
        assertEquals("root", mesh.path("rootNamespace").asString());
    }

    @Test
    void theRendersConfigMapIsNamedByRevisionAsTheChartNamesIt() {
        JsonNode plain = configMap("istio", "rootNamespace: a\n");
        JsonNode canary = configMap("istio-canary", "rootNamespace: b\n");
        JsonNode named = configMap("istio-default", "rootNamespace: c\n");
        List<JsonNode> objects = List.of(plain, canary, named);
        assertEquals("a", RenderedMesh.fromRender(objects, null).orElseThrow().path("rootNamespace").asString());
        assertEquals("b", RenderedMesh.fromRender(objects, "canary").orElseThrow().path("rootNamespace").asString());
        assertEquals("c", RenderedMesh.fromRender(objects, "default").orElseThrow().path("rootNamespace").asString());
        assertEquals(Optional.empty(), RenderedMesh.fromRender(List.of(canary), null));
    }

    private static JsonNode configMap(String name, String mesh) {
        var cm = Json.object().put("apiVersion", "v1").put("kind", "ConfigMap");
        cm.putObject("metadata").put("name", name).put("namespace", "istio-system");
        cm.putObject("data").put("mesh", mesh);
        return cm;
    }
}

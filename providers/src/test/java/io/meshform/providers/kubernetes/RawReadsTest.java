package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.meshform.providers.kubernetes.KubeObjects.Target;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The LISTs read as JSON trees keep what fabric8's generic list() gave the callers. */
@EnableKubernetesMockClient
class RawReadsTest {
    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void itemsWithoutApiVersionAndKindGetThemAsFromTheGenericList() {
        // A LIST of a built-in kind leaves apiVersion and kind out of its items; ManifestType projects them.
        server.expect().get().withPath("/api/v1/namespaces/cortex/configmaps").andReturn(200,
                "{\"kind\":\"ConfigMapList\",\"apiVersion\":\"v1\",\"items\":[{\"metadata\":{\"name\":\"a\",\"namespace\":\"cortex\","
                        + "\"resourceVersion\":\"7\"},\"data\":{\"k\":\"v\"}}]}").once();
        List<JsonNode> items = KubeObjects.list(client, new Target("v1", "ConfigMap", "cortex", null));
        assertEquals(1, items.size());
        assertEquals("v1", Json.text(items.get(0), "apiVersion"));
        assertEquals("ConfigMap", Json.text(items.get(0), "kind"));
        assertEquals("a", KubeObjects.nameOf(items.get(0)));
        assertEquals("7", KubeObjects.resourceVersionOf(items.get(0)));
    }

    @Test
    void aLabelSelectorIsSentAsTheTypedClientSendsIt() throws InterruptedException {
        server.expect().get().withPath("/apis/security.istio.io/v1/namespaces/cortex/peerauthentications"
                + "?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dmeshform").andReturn(200,
                "{\"items\":[{\"apiVersion\":\"security.istio.io/v1\",\"kind\":\"PeerAuthentication\",\"metadata\":{\"name\":\"p\"}}]}")
                .once();
        var op = client.genericKubernetesResources(new io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.Builder()
                .withGroup("security.istio.io").withVersion("v1").withKind("PeerAuthentication").withPlural("peerauthentications")
                .withNamespaced(true).build()).inNamespace("cortex");
        List<JsonNode> items = RawReads.items(client, op, "security.istio.io/v1", "PeerAuthentication",
                KubeConnection.MANAGED_BY_LABEL + "=meshform");
        assertEquals(List.of("p"), items.stream().map(KubeObjects::nameOf).toList());
        // The API server compresses a large answer only when asked; an uncompressed one (this server's) reads as before.
        assertEquals("gzip", server.getLastRequest().getHeader("Accept-Encoding"));
    }

    @Test
    void aMissingCollectionThrowsTheNotFoundTheCallersHandle() {
        server.expect().get().withPath("/api/v1/namespaces/gone/configmaps").andReturn(404, new StatusBuilder()
                .withCode(404).withReason("NotFound").withMessage("namespaces \"gone\" not found").build()).once();
        KubernetesClientException e = assertThrows(KubernetesClientException.class,
                () -> KubeObjects.list(client, new Target("v1", "ConfigMap", "gone", null)));
        assertEquals(true, KubeErrors.notFound(e));
        assertEquals("namespaces \"gone\" not found (reason: NotFound)", KubeErrors.serverSays(e));
    }

    @Test
    void anUnservedGroupsPlainTextNotFoundIsANotFoundToo() {
        // the API server's answer for a group it does not serve (the Gateway API without its CRDs) is not a Status
        server.expect().get().withPath("/api/v1/namespaces/x/configmaps").andReturn(404, "404 page not found\n").once();
        KubernetesClientException e = assertThrows(KubernetesClientException.class,
                () -> KubeObjects.list(client, new Target("v1", "ConfigMap", "x", null)));
        assertEquals(true, KubeErrors.notFound(e));
        assertEquals("404 page not found", e.getStatus().getMessage());
        assertEquals(404, e.getCode());
    }

    @Test
    void ownersAndTheMarkReadFromJsonAgreeWithTheTypedObject() {
        var typed = LabelsTypeTest.cortex();
        JsonNode tree = Json.toNode(typed);
        assertEquals(ManagedFields.of(typed, "metadata", "labels"), ManagedFields.of(tree, "metadata", "labels"));
        assertEquals(ManagedFields.of(typed, "metadata", "annotations"), ManagedFields.of(tree, "metadata", "annotations"));
        assertEquals(LineageMark.of(typed, "meshform", "Namespace cortex", "cortex"),
                LineageMark.of(tree, "meshform", "Namespace cortex", "cortex"));
        assertEquals(LiveLabels.of(typed), LiveLabels.of(tree));
    }

    @Test
    void theMarkCountsOnlyWhenMeshformsManagerOwnsIt() {
        JsonNode marked = Json.MAPPER.readTree("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"cortex\","
                + "\"annotations\":{\"meshform.io/lineage\":\"L1\",\"meshform.io/address\":\"kubernetes.namespace.cortex\"},"
                + "\"managedFields\":[{\"manager\":\"meshform\",\"operation\":\"Apply\",\"time\":\"2026-12-01T10:00:00Z\","
                + "\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:metadata\":{\"f:annotations\":{\"f:meshform.io/lineage\":{},"
                + "\"f:meshform.io/address\":{}}}}}]}}");
        var typed = Json.toGeneric(marked);
        for (String manager : List.of("meshform", "kubectl")) {
            assertEquals(LineageMark.of(typed, manager, "Namespace cortex", "cortex"),
                    LineageMark.of(marked, manager, "Namespace cortex", "cortex"), manager);
            assertEquals(MetadataMapsType.appliedAt(typed, manager), MetadataMapsType.appliedAt(marked, manager), manager);
        }
        assertEquals("L1", LineageMark.of(marked, "meshform", "Namespace cortex", "cortex").lineage());
        assertEquals(null, LineageMark.of(marked, "kubectl", "Namespace cortex", "cortex").lineage());
    }
}

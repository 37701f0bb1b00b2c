package io.meshform.providers.kubernetes;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ConfigMapListBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.ReadRequest;
import io.meshform.engine.spi.ResourceRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A plan reads each declared Secret by a GET of its name (RBAC {@code get secrets}), never by a LIST of its namespace's
 * Secrets, while ConfigMaps keep one LIST per namespace; a refused GET names the verb, resource, namespace and the
 * rule to add.
 */
@EnableKubernetesMockClient
class SecretGetsTest {
    KubernetesMockServer server;
    KubernetesClient client;

    private static final String FORBIDDEN = "secrets \"db\" is forbidden: User \"system:serviceaccount:cortex:reader\""
            + " cannot get resource \"secrets\" in API group \"\" in the namespace \"cortex\"";

    private static ResourceRef ref(String name, String manifest) {
        return new ResourceRef(ResourceAddress.parse("kubernetes.manifest." + name), yaml("manifest: " + manifest + "\n"));
    }

    private static final List<ResourceRef> STACK = List.of(
            ref("db", "{apiVersion: v1, kind: Secret, metadata: {name: db, namespace: cortex}, data: {password: cGFzc3dvcmQ=}}"),
            ref("gone", "{apiVersion: v1, kind: Secret, metadata: {name: gone, namespace: cortex}, stringData: {k: value}}"),
            ref("a", "{apiVersion: v1, kind: ConfigMap, metadata: {name: a, namespace: cortex}, data: {k: v}}"),
            ref("b", "{apiVersion: v1, kind: ConfigMap, metadata: {name: b, namespace: cortex}, data: {k: v}}"));

    private Map<ResourceAddress, LiveObject> read() {
        return new ManifestType(new KubeConnection(client, "meshform")).read(new ReadRequest(STACK));
    }

    private List<String> paths() throws InterruptedException {
        List<String> out = new ArrayList<>();
        for (int i = server.getRequestCount(); i > 0; i--) {
            out.add(server.takeRequest().getPath());
        }
        return out.stream().sorted().toList();
    }

    @Test
    void secretsAreReadByNameAndOtherKindsByOneList() throws InterruptedException {
        server.expect().get().withPath("/api/v1/namespaces/cortex/secrets/db").andReturn(200, new SecretBuilder()
                .withNewMetadata().withName("db").withNamespace("cortex").withResourceVersion("7").endMetadata()
                .addToData("password", "cGFzc3dvcmQ=").build()).once();
        server.expect().get().withPath("/api/v1/namespaces/cortex/configmaps").andReturn(200, new ConfigMapListBuilder()
                .addToItems(new ConfigMapBuilder().withNewMetadata().withName("a").withNamespace("cortex").endMetadata()
                        .addToData("k", "v").build()).build()).once();
        // /api/v1/namespaces/cortex/secrets/gone is not expected: the mock answers 404, a Secret that does not exist.

        Map<ResourceAddress, LiveObject> live = read();

        assertEquals(List.of("/api/v1/namespaces/cortex/configmaps", "/api/v1/namespaces/cortex/secrets/db",
                "/api/v1/namespaces/cortex/secrets/gone"), paths(), "no LIST of Secrets");
        assertEquals("7", live.get(ResourceAddress.parse("kubernetes.manifest.db")).version());
        assertEquals("cGFzc3dvcmQ=", live.get(ResourceAddress.parse("kubernetes.manifest.db")).value()
                .at("/manifest/data/password").asString());
        assertFalse(live.containsKey(ResourceAddress.parse("kubernetes.manifest.gone")), "404: absent");
        assertTrue(live.containsKey(ResourceAddress.parse("kubernetes.manifest.a")));
        assertFalse(live.containsKey(ResourceAddress.parse("kubernetes.manifest.b")), "not in the LIST: absent");
    }

    @Test
    void aRefusedGetNamesTheVerbResourceNamespaceAndRule() {
        server.expect().get().withPath("/api/v1/namespaces/cortex/secrets/db").andReturn(403, new StatusBuilder()
                .withStatus("Failure").withReason("Forbidden").withCode(403).withMessage(FORBIDDEN).build()).always();
        server.expect().get().withPath("/api/v1/namespaces/cortex/configmaps")
                .andReturn(200, new ConfigMapListBuilder().build()).always();

        DiagnosticsException e = assertThrows(DiagnosticsException.class, this::read);

        var d = e.diagnostics().get(0);
        assertEquals("kubernetes.manifest.db: get Secret cortex/db failed (HTTP 403): the credentials may not get secrets"
                + " in namespace cortex", d.summary());
        assertTrue(d.detail().contains("API server says: " + FORBIDDEN + " (reason: Forbidden)"), d.detail());
        assertTrue(d.detail().contains("grant `get` on secrets in namespace cortex, a Role rule `{apiGroups: [\"\"],"
                + " resources: [secrets], verbs: [get]}` bound to this user, with `resourceNames: [db]`"), d.detail());
    }
}

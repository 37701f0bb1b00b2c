package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.meshform.engine.diag.DiagnosticsException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The server-side apply sent as JSON bytes sends what fabric8's typed {@code patch} sends (method, path and query,
 * content type, body) and fails with the same errors: each case runs both against the same mock API server.
 */
@EnableKubernetesMockClient
class ServerSideApplyTest {
    KubernetesMockServer server;
    KubernetesClient client;

    private static ObjectNode obj(String json) {
        return (ObjectNode) Json.MAPPER.readTree(json);
    }

    private Map<String, String> typed(ObjectNode o, String manager, boolean force, boolean dryRun) {
        return ServerFields.recorded(KubeObjects.apply(client.resource(Json.toGeneric(o)), manager, force, dryRun), manager);
    }

    private Map<String, String> raw(ObjectNode o, String manager, boolean force, boolean dryRun) {
        return ServerFields.recorded(new ServerSideApply(new KubeConnection(client, "meshform")).apply(o, manager, force, dryRun),
                manager);
    }

    private void sameRequest(ObjectNode o, String path, String manager, boolean force, boolean dryRun) throws Exception {
        String answer = "{\"apiVersion\":\"v1\",\"kind\":\"X\",\"metadata\":{\"name\":\"n\",\"uid\":\"u-1\",\"resourceVersion\":\"9\"}}";
        server.expect().patch().withPath(path).andReturn(200, answer).times(2);
        Map<String, String> before = typed(o, manager, force, dryRun);
        RecordedRequest a = server.takeRequest();
        Map<String, String> after = raw(o, manager, force, dryRun);
        RecordedRequest b = server.takeRequest();
        assertEquals(a.getRequestLine(), b.getRequestLine());
        assertEquals(path, b.getPath());
        assertEquals(a.getHeader("Content-Type"), b.getHeader("Content-Type"));
        assertEquals(Json.MAPPER.readTree(a.getUtf8Body()), Json.MAPPER.readTree(b.getUtf8Body()));
        assertEquals(before, after);
        assertEquals(Map.of("uid", "u-1", "resourceVersion", "9", "fieldManager", manager), after);
    }

    @Test
    void aNamespacedObjectGoesWhereTheTypedPatchSendsIt() throws Exception {
        sameRequest(obj("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm-0\",\"namespace\":\"b-0\","
                        + "\"labels\":{\"a\":\"1\"},\"annotations\":{\"meshform.io/lineage\":\"L\"}},\"data\":{\"index\":\"0\",\"n\":\"2\"}}"),
                "/api/v1/namespaces/b-0/configmaps/cm-0?fieldValidation=Strict&fieldManager=meshform", "meshform", false, false);
    }

    @Test
    void anObjectWithoutNamespaceGoesToTheClientsNamespace() throws Exception {
        sameRequest(obj("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\"},"
                        + "\"spec\":{\"replicas\":2,\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i:1\"}]}}}}"),
                "/apis/apps/v1/namespaces/test/deployments/web?fieldValidation=Strict&fieldManager=meshform", "meshform", false, false);
    }

    @Test
    void aClusterScopedObjectWithForceAndDryRunKeepsTheQueryOrder() throws Exception {
        sameRequest(obj("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"b-1\",\"labels\":{\"istio-injection\":\"enabled\"}}}"),
                "/api/v1/namespaces/b-1?fieldValidation=Strict&fieldManager=meshform/kubernetes.labels.injection-1&dryRun=All&force=true",
                "meshform/kubernetes.labels.injection-1", true, true);
    }

    @Test
    void theMinimalLabelsObjectIsTheTypedOne() throws Exception {
        KubeObjects.Target t = new KubeObjects.Target("v1", "Namespace", null, "b-2");
        ObjectNode json = MetadataMapsType.minimalJson(t, Map.of("z", "1", "a", "2"), Map.of("k", "v"));
        LabelsType type = new LabelsType(new KubeConnection(client, "meshform"));
        assertEquals(Json.toNode(type.minimalObject(t, Map.of("z", "1", "a", "2"), Map.of("k", "v"))), json);
        KubeObjects.Target d = new KubeObjects.Target("apps/v1", "Deployment", "b-2", "web");
        assertEquals(Json.toNode(type.minimalObject(d, Map.of(), Map.of())), MetadataMapsType.minimalJson(d, Map.of(), Map.of()));
    }

    private List<String> explained(Runnable apply) {
        KubernetesClientException e = assertThrows(KubernetesClientException.class, apply::run);
        DiagnosticsException d = KubeErrors.explain("kubernetes.manifest.cm", "apply", "ConfigMap b-0/cm", e);
        return List.of(d.diagnostics().get(0).summary(), d.diagnostics().get(0).detail(), String.valueOf(KubeErrors.code(e)));
    }

    @Test
    void refusalsReadTheSameAsFromTheTypedPatch() {
        ObjectNode cm = obj("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm\",\"namespace\":\"b-0\"}}");
        String path = "/api/v1/namespaces/b-0/configmaps/cm?fieldValidation=Strict&fieldManager=meshform";
        server.expect().patch().withPath(path).andReturn(404, new StatusBuilder().withCode(404).withReason("NotFound")
                .withMessage("namespaces \"b-0\" not found").build()).times(2);
        List<String> notFound = explained(() -> typed(cm, "meshform", false, false));
        assertEquals(notFound, explained(() -> raw(cm, "meshform", false, false)));
        assertEquals("kubernetes.manifest.cm: apply ConfigMap b-0/cm failed (HTTP 404)", notFound.get(0));

        server.expect().patch().withPath(path).andReturn(409, new StatusBuilder().withCode(409).withReason("Conflict")
                .withMessage("Apply failed with 1 conflict: conflict with \"kubectl-edit\" using v1: .data.k").build()).times(2);
        List<String> conflict = explained(() -> typed(cm, "meshform", false, false));
        assertEquals(conflict, explained(() -> raw(cm, "meshform", false, false)));
        assertTrue(conflict.get(0).contains("field manager(s) kubectl-edit own(s) fields"), conflict.get(0));

        // An answer that is no Status (a proxy's page): the HTTP status line's words, as fabric8 reports them.
        server.expect().patch().withPath(path).andReturn(403, "forbidden by proxy").times(2);
        List<String> forbidden = explained(() -> typed(cm, "meshform", false, false));
        assertEquals(forbidden, explained(() -> raw(cm, "meshform", false, false)));
    }

    @Test
    void noAnswerReadsTheSameAsFromTheTypedPatch() {
        try (KubernetesClient dead = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl("http://127.0.0.1:1/")
                .withNamespace("test").withRequestRetryBackoffLimit(0).build()).build()) {
            ObjectNode cm = obj("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm\",\"namespace\":\"b-0\"}}");
            List<String> typed = explained(() -> KubeObjects.apply(dead.resource(Json.toGeneric(cm)), "meshform", false, false));
            List<String> raw = explained(() -> new ServerSideApply(new KubeConnection(dead, "meshform")).apply(cm, "meshform", false, false));
            assertEquals(typed, raw);
            assertTrue(raw.get(0).endsWith("no answer from the API server"), raw.get(0));
        }
    }

    @Test
    void aKindTheClientCannotResolveIsLeftToTheTypedPath() {
        JsonNode unknown = obj("{\"apiVersion\":\"example.com/v1\",\"kind\":\"Gadget\",\"metadata\":{\"name\":\"g\",\"namespace\":\"b-0\"}}");
        assertFalse(new ServerSideApply(new KubeConnection(client, "meshform")).resolves(unknown));
        assertTrue(new ServerSideApply(new KubeConnection(client, "meshform")).resolves(
                obj("{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"s\"}}")));
    }
}

package io.meshform.providers.istio.injection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.providers.kubernetes.Json;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LivePodTest {
    /** An item of GET /api/v1/pods as the API server writes it (fields the model ignores left in). */
    static final String POD = """
            {"metadata": {"name": "api-7d9f-a", "namespace": "cortex", "uid": "u1",
              "creationTimestamp": "2026-12-02T06:00:00Z", "deletionTimestamp": "2026-12-02T06:10:00Z",
              "labels": {"pod-template-hash": "7d9f", "security.istio.io/tlsMode": "istio"},
              "annotations": {"sidecar.istio.io/inject": "false"},
              "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "api-7d9f", "uid": "r",
                                   "controller": true, "blockOwnerDeletion": true}],
              "managedFields": [{"manager": "kube-controller-manager", "operation": "Update"}]},
             "spec": {"hostNetwork": true,
              "containers": [{"name": "app", "image": "app:1",
                              "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}, {"name": "odd"}]}],
              "initContainers": [{"name": "istio-proxy", "image": "docker.io/istio/proxyv2:1.30.3", "restartPolicy": "Always"}],
              "volumes": [{"name": "v", "emptyDir": {}}]},
             "status": {"phase": "Running", "podIP": "10.0.0.7"}}
            """;

    @Test
    void readsTheFieldsTheMeshUsesFromTheApiServersJson() {
        LivePod p = LivePod.of(Json.MAPPER.readTree(POD));
        assertEquals("cortex/api-7d9f-a", p.id());
        assertEquals("2026-12-02T06:00:00Z", p.created());
        assertTrue(p.deleting());
        assertEquals("Running", p.phase());
        assertTrue(p.hostNetwork());
        assertEquals(Map.of("sidecar.istio.io/inject", "false"), p.annotations());
        assertEquals(List.of(new LivePod.Port(8080, "http", "TCP"), new LivePod.Port(null, "odd", null)),
                p.containers().get(0).ports(), "a port without a number is kept as such, for the model to skip");
        assertEquals(List.of(new LivePod.Owner("ReplicaSet", "api-7d9f", true)), p.owners());
        assertTrue(Sidecars.hasSidecar(p), "a native sidecar");
        assertEquals(Optional.of("docker.io/istio/proxyv2:1.30.3"), Sidecars.proxyImage(p));
        assertEquals(Optional.of(new Workload("Deployment", "cortex", "api")), Sidecars.workloadOf(p));
        assertTrue(Sidecars.finished(p), "a pod being deleted never restarts");
        assertTrue(Sidecars.neverInjected(p));
    }

    @Test
    void aBarePodHasNothingOptional() {
        LivePod p = LivePod.of(Json.MAPPER.readTree("{\"metadata\": {\"name\": \"x\", \"namespace\": \"n\"}}"));
        assertEquals(Map.of(), p.labels());
        assertFalse(p.deleting());
        assertFalse(Sidecars.hasSidecar(p));
        assertFalse(Sidecars.finished(p));
        assertEquals(Optional.empty(), Sidecars.workloadOf(p));
        assertEquals("default", Sidecars.revisionOf(p));
    }

    /**
     * The injector records its revision in the status annotation and its template in the istio.io/rev annotation, and
     * labels nothing; a pod's istio.io/rev label is what it asked the webhooks for (a tag, say) and is not read
     * (istioctl's GetRevisionFromPodAnnotation; RevisionTagInjectionIT shows the real injector writing them).
     */
    @Test
    void theRevisionOfAnInjectedPodIsItsAnnotationThenWhatItsStatusAnnotationRecordsNeverItsLabel() {
        String status = "{\"initContainers\":[\"istio-init\",\"istio-proxy\"],\"containers\":null,\"revision\":\"canary\"}";
        assertEquals("canary", Sidecars.revisionOf(pod(Map.of(), Map.of(Sidecars.STATUS_ANNOTATION, status))));
        assertEquals("canary", Sidecars.revisionOf(pod(Map.of("istio.io/rev", "prod"), Map.of(Sidecars.STATUS_ANNOTATION, status))),
                "a tag label names the webhook, not the istiod the proxy connects to");
        assertEquals("canary", Sidecars.revisionOf(pod(Map.of("istio.io/rev", "prod"), Map.of("istio.io/rev", "canary"))),
                "the annotation first");
        assertEquals("default", Sidecars.revisionOf(pod(Map.of(), Map.of("istio.io/rev", "", Sidecars.STATUS_ANNOTATION, status))),
                "an empty annotation is read as it is: the default revision's mesh config");
        assertEquals("default", Sidecars.revisionOf(pod(Map.of("istio.io/rev", "prod"), Map.of())), "the label alone names nothing");
        assertEquals("default", Sidecars.revisionOf(pod(Map.of(), Map.of(Sidecars.STATUS_ANNOTATION, "{not json"))));
    }

    private static LivePod pod(Map<String, String> labels, Map<String, String> annotations) {
        var md = Json.MAPPER.createObjectNode().put("name", "web").put("namespace", "n");
        md.set("labels", Json.MAPPER.valueToTree(labels));
        md.set("annotations", Json.MAPPER.valueToTree(annotations));
        var pod = Json.MAPPER.createObjectNode();
        pod.set("metadata", md);
        return LivePod.of(pod);
    }
}

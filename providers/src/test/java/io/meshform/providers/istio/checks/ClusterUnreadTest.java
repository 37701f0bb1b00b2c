package io.meshform.providers.istio.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.diag.Severity;
import io.meshform.engine.model.Environment;
import io.meshform.engine.spi.CheckContext.Purpose;
import io.meshform.providers.kubernetes.KubeConnection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A read the cluster refuses is not an empty answer: the checks' view reports it, and drift fails on it instead of
 * saying "No drift" over what it could not see. A kind the cluster does not serve (404: no Istio CRDs yet) is empty.
 */
@EnableKubernetesMockClient
class ClusterUnreadTest {
    KubernetesMockServer server;
    KubernetesClient client;

    private LiveCluster viewWithPodsForbidden() {
        server.expect().get().withPath("/api/v1/pods").andReturn(403, new StatusBuilder().withCode(403).withReason("Forbidden")
                .withMessage("pods is forbidden: User \"system:serviceaccount:cortex-ops:drift\" cannot list resource \"pods\"")
                .build()).always();
        server.expect().get().withPath("/api/v1/services").andReturn(200, new PodListBuilder().build()).always();
        // everything else answers 404, as a cluster without Istio's CRDs does for their kinds
        return new LiveCluster(new KubeConnection(client, "meshform"));
    }

    @Test
    void aForbiddenListIsReportedAndA404IsNone() {
        LiveCluster view = viewWithPodsForbidden();
        assertEquals(List.of(), view.pods());
        assertEquals(List.of(), view.peerAuthentications());
        assertEquals(Map.of("pods", "forbidden (HTTP 403)"), view.unread());
    }

    @Test
    void driftFailsAndPlanWarnsOnWhatTheChecksCouldNotRead() {
        LiveCluster view = viewWithPodsForbidden();
        var failed = assertThrows(DiagnosticsException.class, () -> ClusterUnread.findings(
                new PlannedMesh(MeshChecksTest.ctx(Purpose.DRIFT, Environment.PRODUCTION), view)));
        Diagnostic drift = failed.diagnostics().get(0);
        assertEquals(Severity.ERROR, drift.severity());
        assertTrue(drift.summary().startsWith("drift could not check the mesh: the mesh checks could not read pods"), drift.summary());
        assertTrue(drift.detail().contains("pods: forbidden (HTTP 403)"), drift.detail());
        List<Diagnostic> plan = ClusterUnread.findings(new PlannedMesh(MeshChecksTest.ctx(Purpose.PLAN, Environment.PRODUCTION), view));
        assertEquals(Severity.WARNING, plan.get(0).severity());
    }

    /**
     * The injectors' read starts before the others are waited for (it was two round trips after them), and a refused
     * one is still said after them, in one order every run: pods answer late here, the webhook LIST at once.
     */
    @Test
    void refusedWebhooksAreSaidAfterTheOtherReadsThoughTheirReadStartsFirst() {
        server.expect().get().withPath("/api/v1/pods").andReply(403, request -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new StatusBuilder().withCode(403).withReason("Forbidden").withMessage("pods is forbidden").build();
        }).always();
        server.expect().get().withPath("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations?labelSelector=istio.io%2Frev")
                .andReturn(403, new StatusBuilder().withCode(403).withReason("Forbidden").withMessage("forbidden").build()).always();
        LiveCluster view = new LiveCluster(new KubeConnection(client, "meshform"));
        assertEquals(List.of("pods", io.meshform.providers.istio.injection.InjectorRead.WEBHOOKS),
                List.copyOf(view.unread().keySet()));
        assertEquals("forbidden (HTTP 403)", view.unread().get(io.meshform.providers.istio.injection.InjectorRead.WEBHOOKS));
    }

    @Test
    void aViewThatReadEverythingSaysNothing() {
        assertEquals(List.of(), ClusterUnread.findings(new PlannedMesh(MeshChecksTest.ctx(Purpose.DRIFT, Environment.PRODUCTION),
                ClusterView.EMPTY)));
    }
}

package io.meshform.providers.istio.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.meshform.engine.model.Environment;
import io.meshform.engine.spi.CheckContext.Purpose;
import io.meshform.providers.kubernetes.KubeConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Another revision's mesh config costs a request only when a check judges a proxy of it: one GET of its
 * {@code istio-<revision>} ConfigMap per run, none for a run whose proxies are all the default revision's (the bench's
 * no-op plan counts its requests).
 */
@EnableKubernetesMockClient
class RevisionMeshConfigReadsTest {
    private static final String CANARY_MAP = "/api/v1/namespaces/istio-system/configmaps/istio-canary";
    KubernetesMockServer server;
    KubernetesClient client;

    private List<String> paths() throws InterruptedException {
        List<String> out = new ArrayList<>();
        for (var r = server.takeRequest(100, TimeUnit.MILLISECONDS); r != null; r = server.takeRequest(100, TimeUnit.MILLISECONDS)) {
            out.add(r.getPath());
        }
        return out;
    }

    @Test
    void anotherRevisionsConfigMapIsReadOnceWhenAskedAndNeverOtherwise() throws Exception {
        server.expect().get().withPath(CANARY_MAP).andReturn(200, new ConfigMapBuilder().withNewMetadata().withName("istio-canary")
                .withNamespace("istio-system").endMetadata().addToData("mesh", "rootNamespace: istio-system\n").build()).always();
        LiveCluster view = new LiveCluster(new KubeConnection(client, "meshform"));
        view.meshConfig("default");
        view.meshConfig("");
        assertNull(view.meshConfig("../secrets/x").value());
        assertTrue(paths().stream().noneMatch(p -> p.contains("/configmaps/istio-")), "no other revision was asked for");
        assertEquals("rootNamespace: istio-system\n", view.meshConfig("canary").value());
        assertEquals("rootNamespace: istio-system\n", view.meshConfig("canary").value());
        assertEquals(List.of(CANARY_MAP), paths().stream().filter(p -> p.contains("/configmaps/istio-")).toList());
        assertTrue(view.meshConfig("gone").absent(), "a 404 is no ConfigMap");
    }

    @Test
    void aRefusedReadIsUnknownNotAbsent() {
        server.expect().get().withPath(CANARY_MAP).andReturn(403, new StatusBuilder().withCode(403).withReason("Forbidden").build()).always();
        var lookup = new LiveCluster(new KubeConnection(client, "meshform")).meshConfig("canary");
        assertFalse(lookup.known());
    }

    /** The checks that judge by revision, on a cluster whose pods are all the default revision's (here: none). */
    @Test
    void checksOfADefaultRevisionMeshSendNoRequestForAnotherRevision() throws Exception {
        LiveCluster view = new LiveCluster(new KubeConnection(client, "meshform"));
        PlannedMesh mesh = new PlannedMesh(MeshChecksTest.ctx(Purpose.PLAN, Environment.STAGING, IngressAuthCoverageTest.INSTALL,
                IngressCoverageCanaryTest.CANARY, IngressCoveragePerPodTest.custom()), view);
        CustomProviderDeclared.findings(mesh);
        AuthProxyRisks.findings(mesh);
        TracingProviderDeclared.findings(mesh);
        IngressAuthCoverage.findings(mesh);
        assertTrue(paths().stream().noneMatch(p -> p.contains("/configmaps/istio-")));
    }
}

package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KubeErrorsTest {

    @Test
    void conflictNamesTheOtherManagersAndTheWayOut() {
        String msg = "Apply failed with 2 conflicts: conflict with \"kubectl-label\" using v1: .metadata.labels.team\n"
                + "conflict with \"helm\" using v1: .metadata.labels.app";
        assertEquals(Set.of("kubectl-label", "helm"), KubeErrors.conflictManagers(msg));
        var e = new KubernetesClientException("Failure executing: PATCH", 409,
                new StatusBuilder().withCode(409).withReason("Conflict").withMessage(msg).build());
        var d = KubeErrors.explain("kubernetes.labels.cortex", "apply", "labels on Namespace cortex", e);
        String text = d.diagnostics().get(0).format();
        assertTrue(text.contains("field manager(s) kubectl-label, helm"), text);
        assertTrue(text.contains("force: true"), text);
        assertTrue(text.contains(".metadata.labels.team"), text);
    }

    @Test
    void aConnectionClosedByGoAwayIsNotCalledUnreachable() {
        var e = new io.fabric8.kubernetes.client.KubernetesClientException("Operation: [list] failed.",
                new java.io.IOException("/127.0.0.1:43382: GOAWAY received"));
        String m = KubeErrors.explain("istio.peerAuthentication.x", "list", "PeerAuthentication objects", e).getMessage();
        org.junit.jupiter.api.Assertions.assertTrue(m.contains("closed the connection without an answer (HTTP/2 GOAWAY)")
                && m.contains("token or client certificate") && !m.contains("CA match"), m);
        org.junit.jupiter.api.Assertions.assertTrue(KubeErrors.describe(e).contains("GOAWAY"), KubeErrors.describe(e));
        // A refused connection is still "no answer".
        var refused = new io.fabric8.kubernetes.client.KubernetesClientException("failed",
                new java.net.ConnectException("Connection refused"));
        org.junit.jupiter.api.Assertions.assertTrue(KubeErrors.explain("a", "list", "b", refused).getMessage()
                .contains("no answer from the API server"));
    }

    @Test
    void aClientsOwnRefusalIsNotCalledTheApiServers() {
        // What fabric8 8.0.0 throws for a namespaced object with no namespace and none in the kubeconfig's context.
        var e = new KubernetesClientException("namespace not specified for an operation requiring one and no default was"
                + " found in the Config.");
        String m = KubeErrors.explain("kubernetes.manifest.a", "dry-run apply", "ConfigMap x", e).getMessage();
        assertTrue(m.contains("Kubernetes client says: namespace not specified") && !m.contains("API server says"), m);
        var answered = new KubernetesClientException("Failure executing: PATCH", 422,
                new StatusBuilder().withCode(422).withMessage("spec.x: Invalid value").build());
        assertTrue(KubeErrors.explain("a", "apply", "b", answered).getMessage().contains("API server says: spec.x"));
    }
}

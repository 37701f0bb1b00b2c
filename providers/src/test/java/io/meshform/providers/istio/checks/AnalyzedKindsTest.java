package io.meshform.providers.istio.checks;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.providers.kubernetes.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class AnalyzedKindsTest {
    private static PlannedObject object(String apiVersion, String kind, String name) {
        ObjectNode o = Json.object();
        o.put("apiVersion", apiVersion);
        o.put("kind", kind);
        o.putObject("metadata").put("name", name).put("namespace", "team");
        return Fixtures.planned(o, 0);
    }

    @Test
    void istioKindsAndOtherAnalyzedKindsGoIntoTheOverlay() {
        assertTrue(AnalyzedKinds.overlaid(object("security.istio.io/v1", "PeerAuthentication", "pa")));
        assertTrue(AnalyzedKinds.overlaid(object("networking.istio.io/v1", "VirtualService", "vs")));
        assertTrue(AnalyzedKinds.overlaid(object("apps/v1", "Deployment", "web")));
        assertTrue(AnalyzedKinds.overlaid(object("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "w")));
    }

    @Test
    void coreKindsAnalyzeReadsOnlyFromTheClusterStayOut() {
        for (String kind : IstioAnalysis.RUNTIME_KINDS) {
            assertFalse(AnalyzedKinds.overlaid(object("v1", kind, "x")), kind);
        }
    }

    @Test
    void onlyTheSidecarInjectorsConfigMapsGoIn() {
        assertTrue(AnalyzedKinds.overlaid(object("v1", "ConfigMap", "istio-sidecar-injector")));
        assertTrue(AnalyzedKinds.overlaid(object("v1", "ConfigMap", "istio-sidecar-injector-canary")));
        assertFalse(AnalyzedKinds.overlaid(object("v1", "ConfigMap", "cm-0")));
        assertFalse(AnalyzedKinds.overlaid(object("v1", "ConfigMap", "istio")), "the mesh config: analyze reads it live or from --meshConfigFile");
        assertTrue(AnalyzedKinds.overlaid(object("v1", "ServiceAccount", "sa")), "kinds other than ConfigMap are not judged here");
    }
}

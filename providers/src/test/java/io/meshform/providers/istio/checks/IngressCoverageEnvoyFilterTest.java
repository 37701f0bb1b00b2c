package io.meshform.providers.istio.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.diag.Severity;
import io.meshform.engine.model.Environment;
import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.kubernetes.KubeConnection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An EnvoyFilter istiod applies to a judged gateway can undo what its AuthorizationPolicies ask for (REMOVE the
 * ext_authz filter), so the coverage counts are no fact about that gateway: the note says so and a warning names the
 * EnvoyFilter. Which EnvoyFilters apply follows {@code PushContext.EnvoyFilters} (pilot/pkg/model/push_context.go).
 */
@EnableKubernetesMockClient
class IngressCoverageEnvoyFilterTest {
    KubernetesMockServer server;
    KubernetesClient client;

    /** The audit's EnvoyFilter, with {@code selector} (YAML) and {@code context} in its patch. */
    static String removeExtAuthz(String selector, String context) {
        return (selector == null ? "" : "workloadSelector: {labels: {" + selector + "}}\n")
                + "configPatches:\n- applyTo: HTTP_FILTER\n  match:\n    context: " + context + "\n    listener:\n"
                + "      filterChain:\n        filter:\n          name: envoy.filters.network.http_connection_manager\n"
                + "          subFilter: {name: envoy.filters.http.ext_authz}\n  patch: {operation: REMOVE}\n";
    }

    static FakeCluster gateway() {
        return new FakeCluster().gateway("istio-system", "istio-ingressgateway-5d8f-a", IngressCoveragePerPodTest.GATEWAY, null);
    }

    static List<Diagnostic> drift(FakeCluster cluster) {
        return IngressAuthCoverage.findings(cluster.mesh(MeshChecksTest.ctx(CheckContext.Purpose.DRIFT, Environment.PRODUCTION,
                IngressAuthCoverageTest.INSTALL, IngressCoveragePerPodTest.custom())));
    }

    static List<Diagnostic> unknown(List<Diagnostic> ds) {
        return ds.stream().filter(d -> d.severity() == Severity.WARNING && d.summary().contains(" is not known: EnvoyFilter")).toList();
    }

    @Test
    void anEnvoyFilterRemovingExtAuthzOnTheGatewayMakesTheVerdictUnknown() {
        List<Diagnostic> ds = drift(gateway().envoyFilter("istio-system", "no-authz", removeExtAuthz("istio: ingressgateway", "GATEWAY")));
        Diagnostic note = ds.get(0);
        assertEquals(Severity.INFO, note.severity());
        assertTrue(note.summary().startsWith("ingress coverage of istio-system/istio-ingressgateway-5d8f-a: not known, EnvoyFilter"
                + " istio-system/no-authz patches it; by its AuthorizationPolicies alone: "), note.summary());
        assertTrue(note.summary().contains("24 paths checked, 17 would be let through without the auth proxy"), note.summary());
        assertFalse(note.summary().contains(" 17 let through"), "the counts are not the gateway's: " + note.summary());
        List<Diagnostic> warnings = unknown(ds);
        assertEquals(1, warnings.size(), ds.toString());
        assertEquals("ingress coverage of istio-system/istio-ingressgateway-5d8f-a is not known: EnvoyFilter istio-system/no-authz"
                + " patches the gateway's Envoy config", warnings.get(0).summary());
        assertTrue(warnings.get(0).detail().startsWith("EnvoyFilter istio-system/no-authz (HTTP_FILTER REMOVE"
                + " envoy.filters.http.ext_authz) applies to gateway istio-system/istio-ingressgateway-5d8f-a"), warnings.get(0).detail());
    }

    @Test
    void withoutAnEnvoyFilterTheVerdictStands() {
        List<Diagnostic> ds = drift(gateway());
        assertEquals(List.of(), unknown(ds));
        assertTrue(ds.get(0).summary().contains("24 paths checked, 17 let through without the auth proxy"), ds.get(0).summary());
    }

    @Test
    void aPatchForSidecarsOnlyOrAnotherWorkloadOrNamespaceDoesNotCount() {
        var cluster = gateway().envoyFilter("istio-system", "inbound", removeExtAuthz("istio: ingressgateway", "SIDECAR_INBOUND"))
                .envoyFilter("istio-system", "other", removeExtAuthz("app: reviews", "ANY"))
                .envoyFilter("shop", "shop-wide", removeExtAuthz(null, "ANY"))
                .envoyFilter("istio-system", "ecds", "configPatches: [{applyTo: EXTENSION_CONFIG, patch: {operation: ADD,"
                        + " value: {name: x}}}]\n");
        assertEquals(List.of(), unknown(drift(cluster)));
    }

    @Test
    void aRootNamespaceFilterWithoutSelectorAppliesToAGatewayInAnyNamespaceAndContextDefaultsToAny() {
        var cluster = new FakeCluster().gateway("ingress", "gw-1", IngressCoveragePerPodTest.GATEWAY, null)
                .envoyFilter("istio-system", "mesh-wide", "configPatches: [{applyTo: CLUSTER, patch: {operation: MERGE,"
                        + " value: {connect_timeout: 1s}}}]\n");
        List<Diagnostic> warnings = unknown(drift(cluster));
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).detail().startsWith("EnvoyFilter istio-system/mesh-wide (CLUSTER MERGE) applies to gateway ingress/gw-1"),
                warnings.get(0).detail());
    }

    @Test
    void targetRefsAttachOnlyToTheGatewayApiGatewayTheyName() {
        String targeted = "targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: public}]\n"
                + removeExtAuthz(null, "GATEWAY");
        assertEquals(List.of(), unknown(drift(gateway().envoyFilter("istio-system", "targeted", targeted))),
                "istiod ignores a targetRef on a pod that is no Gateway API gateway");
        var labels = new java.util.HashMap<>(IngressCoveragePerPodTest.GATEWAY);
        labels.put(TargetRefs.GATEWAY_NAME, "public");
        var gatewayApi = new FakeCluster().gateway("istio-system", "public-istio-7c9d-a", labels, null);
        assertEquals(1, unknown(drift(gatewayApi.envoyFilter("istio-system", "targeted", targeted))).size());
    }

    @Test
    void twoGatewaysTheSameFilterPatchesAreOneWarning() {
        var cluster = IngressCoveragePerPodTest.twoGatewayDeployments()
                .envoyFilter("istio-system", "no-authz", removeExtAuthz("istio: ingressgateway", "ANY"));
        List<Diagnostic> warnings = unknown(drift(cluster));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).summary().startsWith("ingress coverage of ingress-a/gw-a, ingress-b/gw-b is not known"),
                warnings.get(0).summary());
    }

    @Test
    void aRefusedEnvoyFilterListFailsDriftAsAnyUnreadKind() {
        server.expect().get().withPath("/apis/networking.istio.io/v1alpha3/envoyfilters").andReturn(403, new StatusBuilder()
                .withCode(403).withReason("Forbidden").withMessage("envoyfilters.networking.istio.io is forbidden").build()).always();
        LiveCluster view = new LiveCluster(new KubeConnection(client, "meshform"));
        assertEquals(List.of(), view.envoyFilters());
        assertEquals(Map.of("envoyfilters.networking.istio.io", "forbidden (HTTP 403)"), view.unread());
        var failed = assertThrows(DiagnosticsException.class, () -> ClusterUnread.findings(
                new PlannedMesh(MeshChecksTest.ctx(CheckContext.Purpose.DRIFT, Environment.PRODUCTION), view)));
        assertTrue(failed.diagnostics().get(0).detail().contains("envoyfilters.networking.istio.io: forbidden (HTTP 403)"),
                failed.diagnostics().get(0).detail());
    }
}

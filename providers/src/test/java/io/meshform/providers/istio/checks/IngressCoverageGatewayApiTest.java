package io.meshform.providers.istio.checks;

import static io.meshform.providers.TestSpecs.decl;
import static io.meshform.providers.istio.checks.IngressCoveragePerPodTest.adminLetThrough;
import static io.meshform.providers.istio.checks.IngressCoveragePerPodTest.plan;
import static io.meshform.providers.istio.checks.IngressCoveragePerPodTest.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.Severity;
import io.meshform.engine.model.ResourceDecl;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Ingress coverage of a Gateway API gateway: istiod attaches a policy whose targetRefs name the gateway's Gateway to
 * its pods (labelled gateway.networking.k8s.io/gateway-name, pilot/pkg/model/policyattachment.go ShouldAttachPolicy),
 * so such a policy is judged as a selector-based one is, and a target only a waypoint takes is said not to be judged.
 */
class IngressCoverageGatewayApiTest {
    /** A pod of Gateway ingress/public, as Istio's kube-gateway template labels it. */
    static final Map<String, String> PUBLIC = Map.of("gateway.networking.k8s.io/gateway-name", "public",
            "gateway.istio.io/managed", "istio.io-gateway-controller", "pod-template-hash", "7f9c");
    static final String TARGET_PUBLIC = "targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: public}]\n";

    static FakeCluster publicGateway() {
        return new FakeCluster().gateway("ingress", "public-istio-7f9c-a", PUBLIC, "public-istio-7f9c");
    }

    /** CUSTOM on Gateway ingress/public, protecting /api/*; /admin/* expected protected too. */
    static ResourceDecl customByTarget(String provider) {
        return decl("istio.authorizationPolicy.ingress", "namespace: ingress\nname: ingress-auth\n" + TARGET_PUBLIC
                + "action: CUSTOM\nprovider: {name: " + provider + "}\nrules: [{to: [{operation: {paths: [\"/api/*\"]}}]}]\n"
                + "coverage: {protected: [\"/admin/*\"]}\n");
    }

    private static List<Diagnostic> notes(List<Diagnostic> ds) {
        return ds.stream().filter(d -> d.severity() == Severity.INFO && d.summary().startsWith("ingress coverage of ")).toList();
    }

    @Test
    void aGatewayGuardedOnlyByACustomPolicyWithTargetRefsIsJudged() {
        List<Diagnostic> ds = plan(publicGateway(), IngressAuthCoverageTest.INSTALL, customByTarget("auth"));
        List<Diagnostic> notes = notes(ds);
        assertEquals(1, notes.size(), ds.toString());
        assertTrue(notes.get(0).summary().startsWith("ingress coverage of ingress/public-istio:"), notes.get(0).summary());
        assertTrue(row(notes.get(0), "/api/x").contains("goes to the auth proxy"), notes.get(0).detail());
        assertEquals(1, adminLetThrough(ds).size(), "the declared /admin/* is not protected: " + ds);
    }

    @Test
    void aDenyPolicyWithTargetRefsOnTheGatewayCountsWhenTheCustomOneSelects() {
        var custom = decl("istio.authorizationPolicy.ingress", "namespace: istio-system\nname: ingress-auth\n"
                + "selector: {matchLabels: {gateway.networking.k8s.io/gateway-name: public}}\naction: CUSTOM\n"
                + "provider: {name: auth}\nrules: [{to: [{operation: {paths: [\"/api/*\"]}}]}]\n"
                + "coverage: {protected: [\"/admin/*\"]}\n");
        var deny = decl("istio.authorizationPolicy.deny_admin", "namespace: ingress\nname: deny-admin\n" + TARGET_PUBLIC
                + "action: DENY\nrules: [{to: [{operation: {paths: [\"/admin/*\"]}}]}]\n");
        List<Diagnostic> ds = plan(publicGateway(), IngressAuthCoverageTest.INSTALL, custom, deny);
        assertEquals(List.of(), adminLetThrough(ds), ds.toString());
        assertTrue(row(notes(ds).get(0), "/admin/x").contains("denied (403)"), notes(ds).get(0).detail());
    }

    @Test
    void aSecondCustomProviderArrivingByTargetRefsMakesIstiodDeny() {
        var second = decl("istio.authorizationPolicy.other", "namespace: istio-system\nname: other-auth\n"
                + "selector: {matchLabels: {gateway.istio.io/managed: istio.io-gateway-controller}}\naction: CUSTOM\n"
                + "provider: {name: other}\nrules: [{to: [{operation: {paths: [\"/other/*\"]}}]}]\n");
        List<Diagnostic> ds = plan(publicGateway(), IngressAuthCoverageTest.INSTALL, customByTarget("auth"), second);
        List<Diagnostic> notes = notes(ds);
        assertEquals(1, notes.size(), "both policies attach to the same pods: one report. " + ds);
        String api = row(notes.get(0), "/api/x");
        assertTrue(api.contains("denied (403)") && !api.contains("auth proxy"), "two providers on one workload: " + notes.get(0).detail());
    }

    @Test
    void aPolicyWithTargetRefsStaysOffAGatewayWithoutTheGatewayNameLabel() {
        var cluster = new FakeCluster().gateway("ingress", "istio-ingressgateway-5d8f-a", IngressCoveragePerPodTest.GATEWAY,
                "istio-ingressgateway-5d8f");
        var custom = decl("istio.authorizationPolicy.ingress", "namespace: ingress\nname: ingress-auth\n"
                + "selector: {matchLabels: {istio: ingressgateway}}\naction: CUSTOM\nprovider: {name: auth}\n"
                + "rules: [{to: [{operation: {paths: [\"/api/*\"]}}]}]\ncoverage: {protected: [\"/admin/*\"]}\n");
        var deny = decl("istio.authorizationPolicy.deny_admin", "namespace: ingress\nname: deny-admin\n"
                + "targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: istio-ingressgateway}]\n"
                + "action: DENY\nrules: [{to: [{operation: {paths: [\"/admin/*\"]}}]}]\n");
        List<Diagnostic> ds = plan(cluster, IngressAuthCoverageTest.INSTALL, custom, deny);
        assertEquals(1, adminLetThrough(ds).size(), "istiod ignores targetRefs on istioctl's gateway: " + ds);
    }

    @Test
    void withoutTheGatewaysPodsThePlanApproximatesAPodOfTheTargetedGateway() {
        List<Diagnostic> ds = plan(new FakeCluster(), IngressAuthCoverageTest.INSTALL, customByTarget("auth"));
        Diagnostic note = notes(ds).get(0);
        // no selector is involved: the words name the Gateway's pods, never "labelled as its selector"
        assertTrue(note.summary().startsWith("ingress coverage of Gateway ingress/public: no running pod belongs to the Gateway"
                + " the CUSTOM policy's targetRefs name, so it covers no gateway; a pod of that Gateway says: "), note.summary());
        assertTrue(note.detail().startsWith("the pods of Gateway ingress/public (pathNormalization"), note.detail());
        assertTrue(note.detail().contains("an approximation (no running gateway pod is labelled"
                + " gateway.networking.k8s.io/gateway-name=public): a pod in ingress labelled exactly"
                + " gateway.istio.io/managed=istio.io-gateway-controller,gateway.networking.k8s.io/gateway-class-name=istio,"
                + "gateway.networking.k8s.io/gateway-name=public,service.istio.io/canonical-name=public-istio,"
                + "service.istio.io/canonical-revision=latest,sidecar.istio.io/inject=false (a pod of Gateway ingress/public,"
                + " which the policy's targetRefs name, labelled as istiod's gateway template labels them for class istio"
                + " (the Gateway object is not known"), note.detail());
        assertTrue(adminLetThrough(ds).get(0).summary().contains("would be let through without the auth proxy on a pod of"
                + " the Gateway the CUSTOM policy's targetRefs name"), adminLetThrough(ds).get(0).summary());
        assertTrue(adminLetThrough(ds).get(0).detail().contains("on the pods of Gateway ingress/public (pathNormalization")
                && adminLetThrough(ds).get(0).detail().contains("judged from the CUSTOM policy's targetRefs, an approximation"),
                adminLetThrough(ds).get(0).detail());
    }

    /**
     * The stand-in pod of a targeted Gateway carries the labels Istio's gateway template gives every such pod
     * (kube-gateway.yaml, Istio 1.30.3), so a DENY selecting gateway.istio.io/managed counts on it, as on the real pods.
     */
    @Test
    void withoutTheGatewaysPodsASelectorOnALabelOfIstiosGatewayTemplateCounts() {
        var deny = decl("istio.authorizationPolicy.deny_admin", "namespace: ingress\nname: deny-admin\n"
                + "selector: {matchLabels: {gateway.istio.io/managed: istio.io-gateway-controller}}\n"
                + "action: DENY\nrules: [{to: [{operation: {paths: [\"/admin/*\"]}}]}]\n");
        List<Diagnostic> ds = plan(new FakeCluster(), IngressAuthCoverageTest.INSTALL, customByTarget("auth"), deny);
        assertEquals(List.of(), adminLetThrough(ds), ds.toString());
    }

    @Test
    void aCustomPolicyOnAGatewayAndAServiceSaysTheServiceIsNotJudged() {
        var both = decl("istio.authorizationPolicy.ingress", "namespace: ingress\nname: ingress-auth\n"
                + "targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: public}, {kind: Service, group: \"\","
                + " name: api}]\naction: CUSTOM\nprovider: {name: auth}\nrules: [{to: [{operation: {paths: [\"/api/*\"]}}]}]\n");
        List<Diagnostic> ds = plan(publicGateway(), IngressAuthCoverageTest.INSTALL, both);
        assertEquals(1, notes(ds).size(), "the Gateway's pods are judged: " + ds);
        Diagnostic said = ds.stream().filter(d -> d.summary().contains("not on its other targets")).findFirst()
                .orElseThrow(() -> new AssertionError("the Service target silently dropped: " + ds));
        assertEquals("ingress coverage: ingress/ingress-auth is judged on the pods of the Gateways its targetRefs name, not on"
                + " its other targets Service api, which istiod attaches to waypoints only", said.summary());
    }

    @Test
    void aCustomPolicyOnAServiceIsSaidNotToBeJudged() {
        var onService = decl("istio.authorizationPolicy.ingress", "namespace: ingress\nname: ingress-auth\n"
                + "targetRefs: [{kind: Service, group: \"\", name: public-istio}]\naction: CUSTOM\nprovider: {name: auth}\n"
                + "rules: [{to: [{operation: {paths: [\"/api/*\"]}}]}]\n");
        List<Diagnostic> ds = plan(publicGateway(), IngressAuthCoverageTest.INSTALL, onService);
        assertEquals(List.of(), notes(ds), ds.toString());
        Diagnostic said = ds.stream().filter(d -> d.summary().contains("is not judged")).findFirst()
                .orElseThrow(() -> new AssertionError("silently dropped: " + ds));
        assertEquals("ingress coverage: ingress/ingress-auth is not judged: its targetRefs name Service public-istio, which"
                + " istiod attaches to waypoints only", said.summary());
        assertTrue(said.range() != null && said.range().toString().startsWith("stack.yaml"), String.valueOf(said.range()));
    }

    @Test
    void aDenyPolicyOnTheGatewaysServiceIsListedAsNotCounted() {
        var deny = decl("istio.authorizationPolicy.deny_admin", "namespace: ingress\nname: deny-admin\n"
                + "targetRefs: [{kind: Service, group: \"\", name: public-istio}]\n"
                + "action: DENY\nrules: [{to: [{operation: {paths: [\"/admin/*\"]}}]}]\n");
        List<Diagnostic> ds = plan(publicGateway(), IngressAuthCoverageTest.INSTALL, customByTarget("auth"), deny);
        assertEquals(1, adminLetThrough(ds).size(), ds.toString());
        assertTrue(notes(ds).get(0).detail().contains("; not counted, as istiod attaches their targets to waypoints only:"
                + " DENY ingress/deny-admin (targetRefs Service public-istio)"), notes(ds).get(0).detail());
    }
}

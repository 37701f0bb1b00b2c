package io.meshform.providers.istio.checks;

import static io.meshform.providers.TestSpecs.decl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.Severity;
import io.meshform.engine.model.Environment;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Ingress coverage judges the policies istiod attaches to each gateway pod (its namespace and the root namespace, a
 * selector matching its labels: pilot/pkg/model/authorization.go ListAuthorizationPolicies), not those matching the
 * CUSTOM policy's selector.
 */
class IngressCoveragePerPodTest {
    static final Map<String, String> GATEWAY = Map.of("istio", "ingressgateway", "app", "istio-ingressgateway",
            "pod-template-hash", "5d8f");

    /** CUSTOM in the root namespace on istio=ingressgateway, protecting /api/*; /admin/* expected protected too. */
    static ResourceDecl custom() {
        return decl("istio.authorizationPolicy.ingress", "namespace: istio-system\nname: ingress\n"
                + "selector: {matchLabels: {istio: ingressgateway}}\naction: CUSTOM\nprovider: {name: auth}\n"
                + "rules: [{to: [{operation: {paths: [\"/api/*\"]}}]}]\ncoverage: {protected: [\"/admin/*\"]}\n");
    }

    static ResourceDecl denyAdmin(String namespace, String selector) {
        return decl("istio.authorizationPolicy.deny_admin", "namespace: " + namespace + "\nname: deny-admin\n"
                + (selector == null ? "" : "selector: {matchLabels: {" + selector + "}}\n")
                + "action: DENY\nrules: [{to: [{operation: {paths: [\"/admin/*\"]}}]}]\n");
    }

    static List<Diagnostic> plan(FakeCluster cluster, ResourceDecl... decls) {
        return IngressAuthCoverage.findings(cluster.mesh(MeshChecksTest.ctx(CheckContext.Purpose.PLAN, Environment.STAGING, decls)));
    }

    static List<Diagnostic> adminLetThrough(List<Diagnostic> ds) {
        return ds.stream().filter(d -> d.severity() == Severity.WARNING
                && d.summary().contains("`GET example.com /admin/x` is let through")).toList();
    }

    @Test
    void aDenyPolicySelectingTheGatewayByAnotherLabelCounts() {
        var cluster = new FakeCluster().pod("istio-system", "istio-ingressgateway-5d8f-a", GATEWAY);
        var deny = denyAdmin("istio-system", "app: istio-ingressgateway");
        List<Diagnostic> ds = plan(cluster, IngressAuthCoverageTest.INSTALL, custom(), deny);
        assertEquals(List.of(), adminLetThrough(ds), ds.toString());
        assertTrue(row(ds.get(0), "/admin/x").contains("denied (403)"), ds.get(0).detail());
        assertTrue(ds.get(0).summary().startsWith("ingress coverage of istio-system/istio-ingressgateway-5d8f-a:"), ds.get(0).summary());
        assertTrue(ds.get(0).detail().contains("1 running pod(s) with the same labels (istio-ingressgateway-5d8f-a)"), ds.get(0).detail());
    }

    @Test
    void aDenyPolicyInTheGatewaysOwnNamespaceCountsWhenTheCustomOneIsInTheRoot() {
        var cluster = new FakeCluster().pod("ingress", "gw-1", GATEWAY);
        List<Diagnostic> ds = plan(cluster, IngressAuthCoverageTest.INSTALL, custom(), denyAdmin("ingress", null));
        assertEquals(List.of(), adminLetThrough(ds), ds.toString());
        assertTrue(ds.get(0).summary().startsWith("ingress coverage of ingress/gw-1:"), ds.get(0).summary());
    }

    @Test
    void anAllowPolicyOnTheGatewayByAnotherLabelDeniesWhatItDoesNotAllow() {
        var cluster = new FakeCluster().pod("istio-system", "gw-1", GATEWAY);
        var allow = decl("istio.authorizationPolicy.allow_api", "namespace: istio-system\nname: allow-api\n"
                + "selector: {matchLabels: {app: istio-ingressgateway}}\naction: ALLOW\n"
                + "rules: [{to: [{operation: {paths: [\"/api/*\"]}}]}]\n");
        List<Diagnostic> ds = plan(cluster, IngressAuthCoverageTest.INSTALL, custom(), allow);
        assertEquals(List.of(), adminLetThrough(ds), "the ALLOW policy leaves /admin/x no rule to match: denied. " + ds);
    }

    @Test
    void aDenyPolicyThatSelectsOtherPodsDoesNotCount() {
        var cluster = new FakeCluster().pod("istio-system", "gw-1", GATEWAY);
        List<Diagnostic> ds = plan(cluster, IngressAuthCoverageTest.INSTALL, custom(), denyAdmin("istio-system", "app: other"));
        assertEquals(1, adminLetThrough(ds).size(), ds.toString());
    }

    @Test
    void podsWithTheSameLabelsAreOneReportAndOthersTheirOwn() {
        var canary = new java.util.HashMap<>(GATEWAY);
        canary.put("version", "canary");
        var cluster = new FakeCluster().pod("istio-system", "gw-1", GATEWAY).pod("istio-system", "gw-2", GATEWAY)
                .pod("istio-system", "gw-canary", canary);
        var deny = denyAdmin("istio-system", "version: canary");
        List<Diagnostic> notes = plan(cluster, IngressAuthCoverageTest.INSTALL, custom(), deny).stream()
                .filter(d -> d.severity() == Severity.INFO).toList();
        assertEquals(2, notes.size(), notes.toString());
        assertTrue(notes.get(0).detail().contains("2 running pod(s) with the same labels (gw-1, gw-2)"), notes.get(0).detail());
        assertTrue(row(notes.get(0), "/admin/x").contains("let through without the auth proxy"), notes.get(0).detail());
        assertTrue(row(notes.get(1), "/admin/x").contains("denied (403)"), "the canary pod's DENY policy: " + notes.get(1).detail());
    }

    /** The note's table line for {@code GET example.com path}. */
    static String row(Diagnostic note, String path) {
        return note.detail().lines().filter(l -> l.substring(2).startsWith("GET example.com " + path + " ")).findFirst().orElse("");
    }

    @Test
    void withoutARunningGatewayThePlanApproximatesAndSaysSo() {
        List<Diagnostic> ds = plan(new FakeCluster(), IngressAuthCoverageTest.INSTALL, custom(), denyAdmin("istio-system", "app: istio-ingressgateway"));
        assertTrue(ds.get(0).summary().startsWith("ingress coverage of istio-system/istio=ingressgateway:"), ds.get(0).summary());
        assertTrue(ds.get(0).detail().contains("an approximation (no running pod in the mesh matches the selector yet)"), ds.get(0).detail());
        assertEquals(1, adminLetThrough(ds).size(), ds.toString());
        assertTrue(adminLetThrough(ds).get(0).detail().contains("judged from the CUSTOM policy's selector, an approximation"),
                adminLetThrough(ds).get(0).detail());
    }

    @Test
    void validateApproximatesAndSaysSo() {
        String detail = IngressAuthCoverageTest.run(IngressAuthCoverageTest.INSTALL, custom()).get(0).detail();
        assertTrue(detail.contains("an approximation (validate reads no pods): a pod in istio-system labelled exactly"
                + " istio=ingressgateway"), detail);
    }
}

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
                && (d.summary().contains("`GET example.com /admin/x` is let through")
                        || d.summary().contains("`GET example.com /admin/x` would be let through"))).toList();
    }

    @Test
    void aDenyPolicySelectingTheGatewayByAnotherLabelCounts() {
        var cluster = new FakeCluster().gateway("istio-system", "istio-ingressgateway-5d8f-a", GATEWAY, null);
        var deny = denyAdmin("istio-system", "app: istio-ingressgateway");
        List<Diagnostic> ds = plan(cluster, IngressAuthCoverageTest.INSTALL, custom(), deny);
        assertEquals(List.of(), adminLetThrough(ds), ds.toString());
        assertTrue(row(ds.get(0), "/admin/x").contains("denied (403)"), ds.get(0).detail());
        assertTrue(ds.get(0).summary().startsWith("ingress coverage of istio-system/istio-ingressgateway-5d8f-a:"), ds.get(0).summary());
        assertTrue(ds.get(0).detail().contains("1 running pod(s) with the same labels (istio-ingressgateway-5d8f-a)"), ds.get(0).detail());
    }

    @Test
    void aDenyPolicyInTheGatewaysOwnNamespaceCountsWhenTheCustomOneIsInTheRoot() {
        var cluster = new FakeCluster().gateway("ingress", "gw-1", GATEWAY, null);
        List<Diagnostic> ds = plan(cluster, IngressAuthCoverageTest.INSTALL, custom(), denyAdmin("ingress", null));
        assertEquals(List.of(), adminLetThrough(ds), ds.toString());
        assertTrue(ds.get(0).summary().startsWith("ingress coverage of ingress/gw-1:"), ds.get(0).summary());
    }

    @Test
    void anAllowPolicyOnTheGatewayByAnotherLabelDeniesWhatItDoesNotAllow() {
        var cluster = new FakeCluster().gateway("istio-system", "gw-1", GATEWAY, null);
        var allow = decl("istio.authorizationPolicy.allow_api", "namespace: istio-system\nname: allow-api\n"
                + "selector: {matchLabels: {app: istio-ingressgateway}}\naction: ALLOW\n"
                + "rules: [{to: [{operation: {paths: [\"/api/*\"]}}]}]\n");
        List<Diagnostic> ds = plan(cluster, IngressAuthCoverageTest.INSTALL, custom(), allow);
        assertEquals(List.of(), adminLetThrough(ds), "the ALLOW policy leaves /admin/x no rule to match: denied. " + ds);
    }

    @Test
    void aDenyPolicyThatSelectsOtherPodsDoesNotCount() {
        var cluster = new FakeCluster().gateway("istio-system", "gw-1", GATEWAY, null);
        List<Diagnostic> ds = plan(cluster, IngressAuthCoverageTest.INSTALL, custom(), denyAdmin("istio-system", "app: other"));
        assertEquals(1, adminLetThrough(ds).size(), ds.toString());
    }

    @Test
    void podsWithTheSameLabelsAreOneReportAndOthersTheirOwn() {
        var canary = new java.util.HashMap<>(GATEWAY);
        canary.put("version", "canary");
        var cluster = new FakeCluster().gateway("istio-system", "gw-1", GATEWAY, null)
                .gateway("istio-system", "gw-2", GATEWAY, null).gateway("istio-system", "gw-canary", canary, null);
        var deny = denyAdmin("istio-system", "version: canary");
        List<Diagnostic> notes = plan(cluster, IngressAuthCoverageTest.INSTALL, custom(), deny).stream()
                .filter(d -> d.severity() == Severity.INFO).toList();
        assertEquals(2, notes.size(), notes.toString());
        assertTrue(notes.get(0).detail().contains("2 running pod(s) with the same labels (gw-1, gw-2)"), notes.get(0).detail());
        assertTrue(row(notes.get(0), "/admin/x").contains("let through without the auth proxy"), notes.get(0).detail());
        assertTrue(row(notes.get(1), "/admin/x").contains("denied (403)"), "the canary pod's DENY policy: " + notes.get(1).detail());
    }

    /** CUSTOM without a selector in the root namespace: istiod attaches it to every workload in the mesh. */
    static ResourceDecl meshWide() {
        return decl("istio.authorizationPolicy.ext_authz", "namespace: istio-system\nname: ext-authz\naction: CUSTOM\n"
                + "provider: {name: auth}\nrules: [{to: [{operation: {paths: [\"/api/*\"]}}]}]\n"
                + "coverage: {protected: [\"/admin/*\"]}\n");
    }

    @Test
    void aMeshWideCustomPolicyJudgesTheGatewayNotEverySidecarWorkload() {
        var cluster = new FakeCluster().gateway("istio-system", "istio-ingressgateway-5d8f-a", GATEWAY, "istio-ingressgateway-5d8f")
                .pod("shop", "cart-1", Map.of("app", "cart")).pod("shop", "orders-1", Map.of("app", "orders"))
                .pod("billing", "ledger-1", Map.of("app", "ledger"));
        List<Diagnostic> ds = plan(cluster, IngressAuthCoverageTest.INSTALL, meshWide());
        List<Diagnostic> notes = ds.stream().filter(d -> d.summary().startsWith("ingress coverage of ")).toList();
        assertEquals(1, notes.size(), notes.toString());
        assertTrue(notes.get(0).summary().startsWith("ingress coverage of istio-system/istio-ingressgateway:"), notes.get(0).summary());
        assertEquals(1, adminLetThrough(ds).size(), ds.toString());
    }

    @Test
    void aMeshWideCustomPolicyWithoutARunningGatewayIsOneApproximation() {
        var cluster = new FakeCluster().pod("shop", "cart-1", Map.of("app", "cart")).pod("shop", "orders-1", Map.of("app", "orders"));
        List<Diagnostic> ds = plan(cluster, IngressAuthCoverageTest.INSTALL, meshWide());
        List<Diagnostic> notes = ds.stream().filter(d -> d.summary().startsWith("ingress coverage of ")).toList();
        assertEquals(1, notes.size(), notes.toString());
        assertTrue(notes.get(0).summary().startsWith("ingress coverage of istio-system/*:"), notes.get(0).summary());
        assertTrue(notes.get(0).detail().contains("an approximation (no running gateway pod matches the selector; it selects 2"
                + " running pods that are no gateway (cart-1, orders-1))"), notes.get(0).detail());
    }

    @Test
    void twoReplicaSetsOfOneGatewayDeploymentAreOneNote() {
        var next = new java.util.HashMap<>(GATEWAY);
        next.put("pod-template-hash", "6b7c");
        var cluster = new FakeCluster().gateway("istio-system", "istio-ingressgateway-5d8f-a", GATEWAY, "istio-ingressgateway-5d8f")
                .gateway("istio-system", "istio-ingressgateway-6b7c-a", next, "istio-ingressgateway-6b7c");
        List<Diagnostic> ds = plan(cluster, IngressAuthCoverageTest.INSTALL, custom());
        List<Diagnostic> notes = ds.stream().filter(d -> d.severity() == Severity.INFO).toList();
        assertEquals(1, notes.size(), notes.toString());
        assertTrue(notes.get(0).summary().startsWith("ingress coverage of istio-system/istio-ingressgateway:"), notes.get(0).summary());
        assertTrue(notes.get(0).detail().contains("2 running pod(s) of Deployment istio-system/istio-ingressgateway"
                + " (istio-ingressgateway-5d8f-a, istio-ingressgateway-6b7c-a)"), notes.get(0).detail());
        assertEquals(1, adminLetThrough(ds).size(), ds.toString());
    }

    @Test
    void aRolloutThatChangesALabelJudgesEachLabelSetUnderTheWorkload() {
        var next = new java.util.HashMap<>(GATEWAY);
        next.put("pod-template-hash", "6b7c");
        next.put("version", "canary");
        var cluster = new FakeCluster().gateway("istio-system", "istio-ingressgateway-5d8f-a", GATEWAY, "istio-ingressgateway-5d8f")
                .gateway("istio-system", "istio-ingressgateway-6b7c-a", next, "istio-ingressgateway-6b7c");
        List<Diagnostic> ds = plan(cluster, IngressAuthCoverageTest.INSTALL, custom(), denyAdmin("istio-system", "version: canary"));
        List<Diagnostic> notes = ds.stream().filter(d -> d.severity() == Severity.INFO).toList();
        assertEquals(2, notes.size(), notes.toString());
        assertTrue(notes.get(0).summary().startsWith("ingress coverage of istio-system/istio-ingressgateway [without version]:"),
                notes.get(0).summary());
        assertTrue(notes.get(1).summary().startsWith("ingress coverage of istio-system/istio-ingressgateway [version=canary]:"),
                notes.get(1).summary());
        assertTrue(notes.get(1).detail().contains("1 running pod(s) of Deployment istio-system/istio-ingressgateway"
                + " (istio-ingressgateway-6b7c-a) labelled version=canary; its pods carry 2 label sets"), notes.get(1).detail());
        assertTrue(row(notes.get(1), "/admin/x").contains("denied (403)"), notes.get(1).detail());
        assertEquals(1, adminLetThrough(ds).size(), ds.toString());
    }

    @Test
    void twoGatewaysWithTheSameVerdictAreOneWarningNamingBoth() {
        var cluster = new FakeCluster().gateway("ingress-a", "gw-a-5d8f-x", GATEWAY, "gw-a-5d8f")
                .gateway("ingress-b", "gw-b-5d8f-x", GATEWAY, "gw-b-5d8f");
        List<Diagnostic> ds = plan(cluster, IngressAuthCoverageTest.INSTALL, custom());
        assertEquals(2, ds.stream().filter(d -> d.severity() == Severity.INFO).count(), ds.toString());
        List<Diagnostic> admin = adminLetThrough(ds);
        assertEquals(1, admin.size(), ds.toString());
        assertTrue(admin.get(0).detail().startsWith("on gateways ingress-a/gw-a, ingress-b/gw-b (pathNormalization"),
                admin.get(0).detail());
        assertEquals(1, ds.stream().filter(d -> d.summary().contains("`GET example.com /api` is let through")).count(), ds.toString());
    }

    /** Two gateway Deployments, each of two pods in two ReplicaSets, that one CUSTOM policy in the root namespace selects. */
    static FakeCluster twoGatewayDeployments() {
        var next = new java.util.HashMap<>(GATEWAY);
        next.put("pod-template-hash", "6b7c");
        return new FakeCluster().gateway("ingress-a", "gw-a-5d8f-x", GATEWAY, "gw-a-5d8f")
                .gateway("ingress-a", "gw-a-6b7c-x", next, "gw-a-6b7c")
                .gateway("ingress-b", "gw-b-5d8f-x", GATEWAY, "gw-b-5d8f");
    }

    @Test
    void aClientControlledConditionNamesEveryGatewayThePolicyAttachesToOnce() {
        var policy = decl("istio.authorizationPolicy.ingress", "namespace: istio-system\nname: ingress\n"
                + "selector: {matchLabels: {istio: ingressgateway}}\naction: CUSTOM\nprovider: {name: auth}\n"
                + "rules: [{to: [{operation: {notPaths: [\"/api/health\"]}}], when: [{key: \"request.headers[x-skip-auth]\","
                + " notValues: [\"yes\"]}]}]\n");
        List<Diagnostic> ds = plan(twoGatewayDeployments(), IngressAuthCoverageTest.INSTALL, policy);
        List<Diagnostic> condition = ds.stream().filter(d -> d.summary().contains("which a client controls")).toList();
        assertEquals(1, condition.size(), ds.toString());
        assertEquals("ingress coverage: CUSTOM rule 0 of istio-system/ingress on gateways ingress-a/gw-a, ingress-b/gw-b"
                + " depends on when request.headers[x-skip-auth], which a client controls: a request where header x-skip-auth"
                + " is yes is let through without the auth proxy", condition.get(0).summary());
    }

    @Test
    void aCustomPolicyWithNothingToCheckOnTwoGatewaysIsOneWarningNamingBoth() {
        var policy = decl("istio.authorizationPolicy.ingress", "namespace: istio-system\nname: ingress\n"
                + "selector: {matchLabels: {istio: ingressgateway}}\naction: CUSTOM\nprovider: {name: auth}\n");
        List<Diagnostic> ds = plan(twoGatewayDeployments(), IngressAuthCoverageTest.INSTALL, policy);
        List<Diagnostic> nothing = ds.stream().filter(d -> d.summary().contains("nothing is known to reach the auth proxy")).toList();
        assertEquals(1, nothing.size(), ds.toString());
        assertEquals(Severity.WARNING, nothing.get(0).severity());
        assertEquals("ingress coverage of ingress-a/gw-a, ingress-b/gw-b: 0 paths checked, 0 let through without the auth"
                + " proxy: nothing is known to reach the auth proxy", nothing.get(0).summary());
        assertTrue(nothing.get(0).detail().startsWith("gateways ingress-a/gw-a, ingress-b/gw-b (pathNormalization"),
                nothing.get(0).detail());
        assertTrue(nothing.get(0).range() != null, "the warning points at the policy's rules: " + nothing.get(0));
    }

    /** The note's table line for {@code GET example.com path}. */
    static String row(Diagnostic note, String path) {
        return note.detail().lines().filter(l -> l.substring(2).startsWith("GET example.com " + path + " ")).findFirst().orElse("");
    }

    @Test
    void withoutARunningGatewayThePlanApproximatesAndSaysSo() {
        List<Diagnostic> ds = plan(new FakeCluster(), IngressAuthCoverageTest.INSTALL, custom(), denyAdmin("istio-system", "app: istio-ingressgateway"));
        assertTrue(ds.get(0).summary().startsWith("ingress coverage of istio-system/istio=ingressgateway:"), ds.get(0).summary());
        assertTrue(ds.get(0).detail().contains("an approximation (no running gateway pod matches the selector)"), ds.get(0).detail());
        assertEquals(1, adminLetThrough(ds).size(), ds.toString());
        assertTrue(adminLetThrough(ds).get(0).summary().contains("`GET example.com /admin/x` would be let through without the"
                + " auth proxy on a gateway labelled as the CUSTOM policy's selector"), adminLetThrough(ds).get(0).summary());
        assertTrue(adminLetThrough(ds).get(0).detail().contains("judged from the CUSTOM policy's selector, an approximation"),
                adminLetThrough(ds).get(0).detail());
    }

    /**
     * A live CUSTOM policy the stack does not declare, selecting sidecars only: no gateway it selects runs, so the
     * stack's install has no table of it to show; the plan of an unrelated stack must not call its pods a gateway.
     */
    @Test
    void aLiveSidecarPolicyTheStackDoesNotDeclareIsNotJudged() {
        var cluster = new FakeCluster().pod("bad", "db-1", Map.of("app", "db"))
                .authorizationPolicy("bad", "db-authz", "selector: {matchLabels: {app: db}}\naction: CUSTOM\n"
                        + "provider: {name: auth}\nrules: [{to: [{operation: {paths: [\"/x/*\"]}}]}]\n");
        List<Diagnostic> ds = plan(cluster, IngressAuthCoverageTest.INSTALL);
        assertEquals(List.of(), ds, "bad/db-authz is not the stack's and selects no gateway");
    }

    /** The stack's own CUSTOM policy on sidecars: judged from its selector, never called a gateway. */
    @Test
    void theStacksSidecarPolicyIsJudgedFromItsSelectorAndNotCalledAGateway() {
        var cluster = new FakeCluster().pod("bad", "db-1", Map.of("app", "db"));
        var policy = decl("istio.authorizationPolicy.db", "namespace: bad\nname: db-authz\nselector: {matchLabels: {app: db}}\n"
                + "action: CUSTOM\nprovider: {name: auth}\nrules: [{to: [{operation: {paths: [\"/x/*\"]}}]}]\n");
        List<Diagnostic> ds = plan(cluster, IngressAuthCoverageTest.INSTALL, policy);
        Diagnostic note = ds.stream().filter(d -> d.severity() == Severity.INFO).findFirst().orElseThrow();
        assertTrue(note.detail().startsWith("the pods bad/app=db selects (pathNormalization"), note.detail());
        assertTrue(note.detail().contains("no running gateway pod matches the selector; it selects 1 running pod that is"
                + " no gateway (db-1)"), note.detail());
        assertTrue(ds.stream().noneMatch(d -> d.detail().contains("gateway bad/app=db")), ds.toString());
    }

    @Test
    void validateApproximatesAndSaysSo() {
        String detail = IngressAuthCoverageTest.run(IngressAuthCoverageTest.INSTALL, custom()).get(0).detail();
        assertTrue(detail.contains("an approximation (validate reads no pods): a pod in istio-system labelled exactly"
                + " istio=ingressgateway"), detail);
    }
    /**
     * A mistyped gateway label: the policy sends no request of any gateway to the auth proxy, so its note must not read
     * "0 let through" as if the gateway were covered (AuthorizationSelectsNothing warns that it matches no running pod).
     */
    @Test
    void aCustomPolicySelectingNoRunningGatewaySaysItCoversNone() {
        var cluster = new FakeCluster().gateway("istio-system", "istio-ingressgateway-5d8f-a", GATEWAY, null);
        var typo = decl("istio.authorizationPolicy.ingress", "namespace: istio-system\nname: ingress\n"
                + "selector: {matchLabels: {istio: ingress-gateway}}\naction: CUSTOM\nprovider: {name: auth}\n"
                + "rules: [{to: [{operation: {notPaths: [\"/healthz\"]}}]}]\n");
        List<Diagnostic> ds = plan(cluster, IngressAuthCoverageTest.INSTALL, typo);
        Diagnostic note = ds.stream().filter(d -> d.severity() == Severity.INFO).findFirst().orElseThrow();
        assertTrue(note.summary().matches("ingress coverage of istio-system/istio=ingress-gateway: the CUSTOM policy selects no"
                + " running gateway pod, so it covers no gateway; a gateway labelled as its selector says: [1-9]\\d* paths"
                + " checked, 0 would be let through without the auth proxy"), note.summary());
    }

    /** Without the pods (validate, no control plane, pods unread) no gateway is known to be covered either. */
    @Test
    void withoutThePodsTheNoteSaysNoGatewayIsKnownToBeCovered() {
        var cluster = new FakeCluster();
        cluster.unread.put("pods", "forbidden");
        Diagnostic note = plan(cluster, IngressAuthCoverageTest.INSTALL, custom()).get(0);
        assertTrue(note.summary().startsWith("ingress coverage of istio-system/istio=ingressgateway: the gateway pods are not"
                + " known, so no gateway is known to be covered; a gateway labelled as its selector says: "), note.summary());
        String validate = IngressAuthCoverageTest.run(IngressAuthCoverageTest.INSTALL, custom()).get(0).summary();
        assertTrue(validate.contains("the gateway pods are not known") && validate.contains(" would be let through "), validate);
    }

    /** Running gateway pods the policy selects: the counts are the gateway's own, said as facts. */
    @Test
    void aSelectedGatewaysNoteStatesItsCounts() {
        var cluster = new FakeCluster().gateway("istio-system", "istio-ingressgateway-5d8f-a", GATEWAY, null);
        Diagnostic note = plan(cluster, IngressAuthCoverageTest.INSTALL, custom()).get(0);
        assertTrue(note.summary().matches("ingress coverage of istio-system/istio-ingressgateway-5d8f-a: [1-9]\\d* paths checked,"
                + " [1-9]\\d* let through without the auth proxy: .*"), note.summary());
    }
}

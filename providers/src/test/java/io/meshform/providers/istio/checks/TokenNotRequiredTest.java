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
import org.junit.jupiter.api.Test;

/**
 * A RequestAuthentication lets a request without a token through unless an AuthorizationPolicy on the same workloads
 * requires one: the check says so at validate (the stack alone) and plan (the live policies too).
 */
class TokenNotRequiredTest {
    static final ResourceDecl JWT = decl("istio.requestAuthentication.jwt", """
            namespace: istio-system
            name: jwt
            selector: {matchLabels: {istio: ingressgateway}}
            jwtRules:
              - issuer: https://oidc.example.com
                jwksUri: https://oidc.example.com/keys
            """);

    static ResourceDecl policy(String name, String namespace, String body) {
        return decl("istio.authorizationPolicy." + name, "namespace: " + namespace + "\nname: " + name.replace('_', '-') + "\n" + body);
    }

    static List<Diagnostic> run(CheckContext.Purpose purpose, FakeCluster cluster, ResourceDecl... decls) {
        return TokenNotRequired.findings(cluster.mesh(MeshChecksTest.ctx(purpose, Environment.STAGING, decls)));
    }

    static List<Diagnostic> validate(ResourceDecl... decls) {
        return run(CheckContext.Purpose.VALIDATE, new FakeCluster(), decls);
    }

    static Diagnostic only(List<Diagnostic> ds, Severity severity) {
        assertEquals(1, ds.size(), ds.toString());
        assertEquals(severity, ds.get(0).severity(), ds.toString());
        return ds.get(0);
    }

    @Test
    void aRequestAuthenticationAloneWarnsAndSaysTheFix() {
        Diagnostic d = only(validate(JWT), Severity.WARNING);
        assertEquals("istio.requestAuthentication.jwt: requests without a token are let through: no AuthorizationPolicy"
                + " requires one on the workloads labelled {istio=ingressgateway} in every namespace (istio-system is the"
                + " root namespace)", d.summary());
        assertTrue(d.detail().contains("allow_missing"), d.detail());
        assertTrue(d.detail().contains("validate does not read the cluster"), d.detail());
        assertTrue(d.detail().contains("requestPrincipals: [\"*\"]") && d.detail().contains("notRequestPrincipals: [\"*\"]")
                && d.detail().contains("CUSTOM"), d.detail());
        assertTrue(d.detail().contains("selector: {matchLabels: {\"istio\":\"ingressgateway\"}}"), d.detail());
    }

    @Test
    void anAllowRequiringARequestPrincipalCovers() {
        var allow = policy("require_jwt", "istio-system", """
                selector: {matchLabels: {istio: ingressgateway}}
                rules: [{from: [{source: {requestPrincipals: ["*"]}}]}]
                """);
        assertEquals(List.of(), validate(JWT, allow));
    }

    @Test
    void aDenyWithoutRequestPrincipalsCovers() {
        var deny = policy("deny_tokenless", "istio-system", """
                selector: {matchLabels: {istio: ingressgateway}}
                action: DENY
                rules: [{from: [{source: {notRequestPrincipals: ["*"]}}]}]
                """);
        assertEquals(List.of(), validate(JWT, deny));
    }

    @Test
    void aCustomAuthProxyCovers() {
        var custom = policy("ext_authz", "istio-system", """
                selector: {matchLabels: {istio: ingressgateway}}
                action: CUSTOM
                provider: {name: auth}
                rules: [{to: [{operation: {notPaths: ["/healthz"]}}]}]
                """);
        assertEquals(List.of(), validate(JWT, custom));
    }

    @Test
    void aCustomAuthProxyOnSomePathsOnlyIsANoteNotCover() {
        var custom = policy("ext_authz", "istio-system", """
                selector: {matchLabels: {istio: ingressgateway}}
                action: CUSTOM
                provider: {name: auth}
                rules: [{to: [{operation: {paths: ["/admin/*"]}}]}]
                """);
        Diagnostic d = only(validate(JWT, custom), Severity.INFO);
        assertTrue(d.detail().contains("only to paths [/admin/*]"), d.detail());
    }

    @Test
    void aWhenOnAClaimCoversAndANegativeOneDoesNot() {
        var claim = policy("claim", "istio-system", """
                selector: {matchLabels: {istio: ingressgateway}}
                rules: [{when: [{key: "request.auth.claims[groups]", values: [admin]}]}]
                """);
        assertEquals(List.of(), validate(JWT, claim));
        var notClaim = policy("claim", "istio-system", """
                selector: {matchLabels: {istio: ingressgateway}}
                rules: [{when: [{key: "request.auth.claims[groups]", notValues: [guest]}]}]
                """);
        only(validate(JWT, notClaim), Severity.WARNING);
    }

    @Test
    void aDryRunPolicyDoesNotCover() {
        FakeCluster cluster = new FakeCluster().authorizationPolicy("istio-system", "deny", """
                selector: {matchLabels: {istio: ingressgateway}}
                action: DENY
                rules: [{from: [{source: {notRequestPrincipals: ["*"]}}]}]
                """);
        ((tools.jackson.databind.node.ObjectNode) cluster.authorizationPolicies().get(0).path("metadata"))
                .putObject("annotations").put("istio.io/dry-run", "true");
        only(run(CheckContext.Purpose.PLAN, cluster, JWT), Severity.WARNING);
    }

    @Test
    void aPolicyForAnotherWorkloadDoesNotCover() {
        var other = policy("require_jwt", "istio-system", """
                selector: {matchLabels: {istio: egressgateway}}
                rules: [{from: [{source: {requestPrincipals: ["*"]}}]}]
                """);
        only(validate(JWT, other), Severity.WARNING);
    }

    @Test
    void anAllowExceptionForAPathIsANoteThatNamesIt() {
        var allow = policy("require_jwt", "istio-system", """
                selector: {matchLabels: {istio: ingressgateway}}
                rules:
                  - from: [{source: {requestPrincipals: ["*"]}}]
                  - to: [{operation: {paths: ["/healthz"]}}]
                """);
        Diagnostic d = only(validate(JWT, allow), Severity.INFO);
        assertTrue(d.detail().contains("ALLOW istio-system/require-jwt rule 1 allows a request without a token to paths [/healthz]"),
                d.detail());
    }

    @Test
    void anAllowRuleOpenToEveryRequestLeavesItUncovered() {
        var allow = policy("allow_all", "istio-system", """
                selector: {matchLabels: {istio: ingressgateway}}
                rules: [{from: [{source: {requestPrincipals: ["*"]}}]}, {}]
                """);
        only(validate(JWT, allow), Severity.WARNING);
    }

    @Test
    void aDenyLimitedToSomePathsIsANote() {
        var deny = policy("deny_api", "istio-system", """
                selector: {matchLabels: {istio: ingressgateway}}
                action: DENY
                rules: [{from: [{source: {notRequestPrincipals: ["*"]}}], to: [{operation: {paths: ["/api/*"]}}]}]
                """);
        Diagnostic d = only(validate(JWT, deny), Severity.INFO);
        assertTrue(d.detail().contains("denies a request without a token only to paths [/api/*]"), d.detail());
    }

    @Test
    void aPolicyOnOnlySomeOfTheWorkloadsWarnsAndNamesThem() {
        var ns = decl("istio.requestAuthentication.shop", """
                namespace: shop
                name: jwt
                jwtRules: [{issuer: https://oidc.example.com}]
                """);
        var narrow = policy("require_jwt", "shop", """
                selector: {matchLabels: {app: api}}
                rules: [{from: [{source: {requestPrincipals: ["*"]}}]}]
                """);
        Diagnostic d = only(validate(ns, narrow), Severity.WARNING);
        assertTrue(d.summary().endsWith("let through on some of every workload in namespace shop"), d.summary());
        assertTrue(d.detail().contains("ALLOW shop/require-jwt requires a token only on the workloads also labelled {app=api}"),
                d.detail());
    }

    @Test
    void aRootNamespacePolicyCoversANamespaceOne() {
        var ns = decl("istio.requestAuthentication.shop", """
                namespace: shop
                name: jwt
                selector: {matchLabels: {app: api}}
                jwtRules: [{issuer: https://oidc.example.com}]
                """);
        var meshWide = policy("deny_tokenless", "istio-system", """
                action: DENY
                rules: [{from: [{source: {notRequestPrincipals: ["*"]}}]}]
                """);
        assertEquals(List.of(), validate(ns, meshWide));
    }

    @Test
    void aLivePolicyOutsideTheStackCoversAtPlan() {
        FakeCluster cluster = new FakeCluster().authorizationPolicy("istio-system", "require-jwt", """
                selector: {matchLabels: {istio: ingressgateway}}
                rules: [{from: [{source: {requestPrincipals: ["*"]}}]}]
                """);
        assertEquals(List.of(), run(CheckContext.Purpose.PLAN, cluster, JWT));
        Diagnostic d = only(run(CheckContext.Purpose.PLAN, new FakeCluster(), JWT), Severity.WARNING);
        assertTrue(d.detail().contains("of the stack and the cluster"), d.detail());
    }

    @Test
    void unreadLivePoliciesSayNothing() {
        FakeCluster cluster = new FakeCluster();
        cluster.unread.put(IngressAuthUnused.AUTHORIZATION_POLICIES, "forbidden (HTTP 403)");
        assertEquals(List.of(), run(CheckContext.Purpose.PLAN, cluster, JWT));
    }

    @Test
    void aTargetedRequestAuthenticationIsCoveredByAPolicyOnTheSameGateway() {
        var ra = decl("istio.requestAuthentication.gw", """
                namespace: web
                name: jwt
                targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: public}]
                jwtRules: [{issuer: https://oidc.example.com}]
                """);
        var same = policy("deny_tokenless", "web", """
                targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: public}]
                action: DENY
                rules: [{from: [{source: {notRequestPrincipals: ["*"]}}]}]
                """);
        var other = policy("deny_tokenless", "web", """
                targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: private}]
                action: DENY
                rules: [{from: [{source: {notRequestPrincipals: ["*"]}}]}]
                """);
        assertEquals(List.of(), validate(ra, same));
        Diagnostic d = only(validate(ra, other), Severity.WARNING);
        assertTrue(d.summary().endsWith("on the pods of Gateway web/public"), d.summary());
    }

    @Test
    void aRequestAuthenticationWithoutRulesIsLeftOut() {
        var empty = decl("istio.requestAuthentication.none", "namespace: shop\nname: none\n");
        assertEquals(List.of(), validate(empty));
    }
}

package io.meshform.providers.istio.checks;

import static io.meshform.providers.TestSpecs.decl;
import static io.meshform.providers.istio.checks.TokenNotRequiredTargetsTest.DENY_TOKENLESS;
import static io.meshform.providers.istio.checks.TokenNotRequiredTargetsTest.TO_PUBLIC;
import static io.meshform.providers.istio.checks.TokenNotRequiredTest.only;
import static io.meshform.providers.istio.checks.TokenNotRequiredTest.policy;
import static io.meshform.providers.istio.checks.TokenNotRequiredTest.run;
import static io.meshform.providers.istio.checks.TokenNotRequiredTest.validate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.Severity;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The checks judge a Gateway's pods with the labels istiod gives them ({@link GatewayPods}: its running pods', else
 * {@code GatewayPodTemplate} on the Gateway object, Istio 1.30.3 kube-gateway.yaml): a DENY policy selecting one of
 * those labels reaches a RequestAuthentication's Gateway target ({@link TokenNotRequired}) and a CUSTOM policy's
 * ({@link IngressAuthCoverage}). Before, a four-label stand-in (gateway-name, managed, inject, canonical-revision) was
 * used whatever the Gateway said.
 */
class GatewayPodsTest {
    private static ResourceDecl ra() {
        return decl("istio.requestAuthentication.jwt", "namespace: web\nname: jwt\n" + TO_PUBLIC
                + "jwtRules: [{issuer: https://oidc.example.com}]\n");
    }

    /** Gateway web/public: {@code class}, then YAML for metadata (inside {}) and spec (after the class). */
    private static ResourceDecl gateway(String gatewayClass, String metadata, String spec) {
        return decl("kubernetes.manifest.public", "manifest:\n  apiVersion: gateway.networking.k8s.io/v1\n  kind: Gateway\n"
                + "  metadata: {namespace: web, name: public" + metadata + "}\n  spec: {gatewayClassName: " + gatewayClass
                + ", listeners: [{name: http, port: 80, protocol: HTTP}]" + spec + "}\n");
    }

    private static ResourceDecl denyTokenless(String selector) {
        return policy("deny_tokenless", "web", "selector: {matchLabels: {" + selector + "}}\n" + DENY_TOKENLESS);
    }

    @Test
    void aSelectorOnTheClassLabelReachesTheGatewaysPods() {
        assertEquals(List.of(), validate(ra(), gateway("istio", "", ""),
                denyTokenless("gateway.networking.k8s.io/gateway-class-name: istio")));
    }

    @Test
    void aSelectorOnTheCanonicalNameReachesTheGatewaysPods() {
        assertEquals(List.of(), validate(ra(), gateway("istio", "", ""), denyTokenless("service.istio.io/canonical-name: public-istio")));
        // the name-override annotation renames the Deployment, and so the canonical name
        var renamed = gateway("istio", ", annotations: {gateway.istio.io/name-override: edge}", "");
        assertEquals(List.of(), validate(ra(), renamed, denyTokenless("service.istio.io/canonical-name: edge")));
        Diagnostic d = only(validate(ra(), renamed, denyTokenless("service.istio.io/canonical-name: public-istio")), Severity.WARNING);
        assertTrue(d.detail().contains("service.istio.io/canonical-name=edge"), d.detail());
    }

    @Test
    void aSelectorOnAnInfrastructureLabelReachesTheGatewaysPods() {
        assertEquals(List.of(), validate(ra(), gateway("istio", "", ", infrastructure: {labels: {team: edge}}"),
                denyTokenless("team: edge")));
    }

    @Test
    void aGatewaysOwnLabelReachesItsPodsUnlessInfrastructureLabelsReplaceThem() {
        assertEquals(List.of(), validate(ra(), gateway("istio", ", labels: {team: edge}", ""), denyTokenless("team: edge")));
        Diagnostic d = only(validate(ra(), gateway("istio", ", labels: {team: edge}", ", infrastructure: {labels: {tier: front}}"),
                denyTokenless("team: edge")), Severity.WARNING);
        // the policy reaches only pods that also carry team=edge, which istiod's template gives none of them
        assertTrue(d.summary().endsWith("no AuthorizationPolicy requires one on the pods of Gateway web/public"), d.summary());
        assertTrue(d.detail().contains("; DENY web/deny-tokenless asks for labels {team=edge}, which none of them carries"),
                d.detail());
        String labelled = d.detail().substring(d.detail().indexOf("; the pods of Gateway web/public labelled "));
        assertTrue(labelled.startsWith("; the pods of Gateway web/public labelled as istiod's gateway template labels the pods"
                + " of Deployment web/public-istio (from the Gateway object): {"), labelled);
        String labels = labelled.substring(0, labelled.indexOf('}') + 1);
        assertTrue(labels.contains("tier=front") && !labels.contains("team=edge"), labelled);
    }

    @Test
    void aGatewayOfAClassIstiodDoesNotDeployHasNoPodsToJudge() {
        assertEquals(List.of(), validate(ra(), gateway("nginx", "", "")));
    }

    @Test
    void theRunningPodsLabelsWinOverTheTemplateAndTheReportSaysSo() {
        var cluster = new FakeCluster().gateway("web", "public-istio-7f9c-a", Map.of("gateway.networking.k8s.io/gateway-name",
                "public", "team", "edge", "pod-template-hash", "7f9c"), "public-istio-7f9c");
        assertEquals(List.of(), run(CheckContext.Purpose.PLAN, cluster, ra(), gateway("istio", "", ""), denyTokenless("team: edge")));
        Diagnostic d = only(run(CheckContext.Purpose.PLAN, cluster, ra(), gateway("istio", "", ""),
                denyTokenless("gateway.networking.k8s.io/gateway-class-name: istio")), Severity.WARNING);
        assertTrue(d.detail().contains("the pods of Gateway web/public labelled the labels its 1 running pod(s) share"), d.detail());
    }

    @Test
    void aLiveGatewayObjectGivesTheLabelsWhenTheStackHasNone() {
        var cluster = new FakeCluster().gatewayObject("metadata: {namespace: web, name: public}\n"
                + "spec: {gatewayClassName: istio, infrastructure: {labels: {team: edge}}}\n");
        assertEquals(List.of(), run(CheckContext.Purpose.PLAN, cluster, ra(), denyTokenless("team: edge")));
    }

    @Test
    void aCustomPolicyOnAGatewayIsJudgedWithADenyPolicyOnItsClassLabel() {
        var custom = decl("istio.authorizationPolicy.ingress", "namespace: web\nname: ingress-auth\n" + TO_PUBLIC
                + "action: CUSTOM\nprovider: {name: auth}\nrules: [{to: [{operation: {paths: [\"/api/*\"]}}]}]\n"
                + "coverage: {protected: [\"/admin/*\"]}\n");
        var denyAdmin = decl("istio.authorizationPolicy.deny_admin", "namespace: web\nname: deny-admin\n"
                + "selector: {matchLabels: {gateway.networking.k8s.io/gateway-class-name: istio}}\n"
                + "action: DENY\nrules: [{to: [{operation: {paths: [\"/admin/*\"]}}]}]\n");
        List<Diagnostic> ds = IngressCoveragePerPodTest.plan(new FakeCluster(), IngressAuthCoverageTest.INSTALL, custom,
                gateway("istio", "", ""), denyAdmin);
        assertEquals(List.of(), IngressCoveragePerPodTest.adminLetThrough(ds), ds.toString());
        List<Diagnostic> without = IngressCoveragePerPodTest.plan(new FakeCluster(), IngressAuthCoverageTest.INSTALL, custom,
                gateway("istio", "", ""));
        assertEquals(1, IngressCoveragePerPodTest.adminLetThrough(without).size(), without.toString());
    }
}

package io.meshform.providers.istio.checks;

import static io.meshform.providers.TestSpecs.decl;
import static io.meshform.providers.istio.checks.TokenNotRequiredTest.only;
import static io.meshform.providers.istio.checks.TokenNotRequiredTest.policy;
import static io.meshform.providers.istio.checks.TokenNotRequiredTest.run;
import static io.meshform.providers.istio.checks.TokenNotRequiredTest.validate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.Severity;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.istio.policy.PolicyTarget;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link TokenNotRequired} where Gateway API gateways and waypoints are involved: the policies istiod attaches to a
 * Gateway's pods by targetRefs count for a RequestAuthentication that selects them, and a policy only a waypoint takes
 * counts for nothing else ({@link TokenScopes}, by istiod's {@code ShouldAttachPolicy}).
 */
class TokenNotRequiredTargetsTest {
    static final String DENY_TOKENLESS = "action: DENY\nrules: [{from: [{source: {notRequestPrincipals: [\"*\"]}}]}]\n";
    static final String TO_PUBLIC = "targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: public}]\n";

    private static ResourceDecl ra(String namespace, String body) {
        return decl("istio.requestAuthentication.jwt", "namespace: " + namespace + "\nname: jwt\n" + body
                + "jwtRules: [{issuer: https://oidc.example.com}]\n");
    }

    private static ResourceDecl gateway(String className) {
        return decl("kubernetes.manifest.public", "manifest:\n  apiVersion: gateway.networking.k8s.io/v1\n  kind: Gateway\n"
                + "  metadata: {namespace: web, name: public}\n  spec: {gatewayClassName: " + className
                + ", listeners: [{name: http, port: 80, protocol: HTTP}]}\n");
    }

    @Test
    void aSelectorOnAGatewaysPodsIsCoveredByAPolicyTargetingThatGateway() {
        var selected = ra("web", "selector: {matchLabels: {" + PolicyTarget.GATEWAY_NAME_LABEL + ": public}}\n");
        assertEquals(List.of(), validate(selected, policy("deny_tokenless", "web", TO_PUBLIC + DENY_TOKENLESS)));
        // from the root namespace the targeted policy reaches the gateway's pods only (a root one would reach none)
        var rootSelected = ra("istio-system", "selector: {matchLabels: {" + PolicyTarget.GATEWAY_NAME_LABEL + ": public}}\n");
        Diagnostic d = only(validate(rootSelected, policy("deny_tokenless", "web", TO_PUBLIC + DENY_TOKENLESS)), Severity.WARNING);
        assertTrue(d.summary().contains("let through on some of the workloads labelled {" + PolicyTarget.GATEWAY_NAME_LABEL
                + "=public} in every namespace"), d.summary());
        assertTrue(d.detail().contains("DENY web/deny-tokenless requires a token only on the pods of Gateway web/public"), d.detail());
    }

    /**
     * Istio's gateway deployment template (manifests/charts/istio-control/istio-discovery/files/kube-gateway.yaml,
     * Istio 1.30.3) labels every pod of a Gateway API gateway gateway.istio.io/managed=istio.io-gateway-controller, not
     * only gateway-name: a selector policy on that label covers the Gateway's pods, all of them.
     */
    @Test
    void aSelectorOnALabelIstiosGatewayTemplateSetsCoversTheGatewaysPods() {
        var bySelector = policy("deny_tokenless", "web", "selector: {matchLabels: {gateway.istio.io/managed:"
                + " istio.io-gateway-controller, sidecar.istio.io/inject: \"false\"}}\n" + DENY_TOKENLESS);
        assertEquals(List.of(), validate(ra("web", TO_PUBLIC), bySelector, gateway("istio")));
    }

    /**
     * A Gateway's own labels reach its pods only when {@code spec.infrastructure.labels} is unset
     * ({@code extractInfrastructureMetadata}, pilot/pkg/config/kube/gatewaycommon/deploymentcontroller.go, Istio 1.30.3):
     * a DENY selecting the Gateway's own label then takes none of its pods, which the Gateway object tells exactly;
     * without the object the pods' labels are a guess, and "some of" stays.
     */
    @Test
    void aPolicyOnAGatewayLabelThatInfrastructureLabelsReplaceTakesNoneOfItsPods() {
        var replaced = decl("kubernetes.manifest.public", "manifest:\n  apiVersion: gateway.networking.k8s.io/v1\n  kind: Gateway\n"
                + "  metadata: {namespace: web, name: public, labels: {team: web}}\n  spec: {gatewayClassName: istio,"
                + " infrastructure: {labels: {tier: edge}}, listeners: [{name: http, port: 80, protocol: HTTP}]}\n");
        var onTeam = policy("deny_tokenless", "web", "selector: {matchLabels: {team: web}}\n" + DENY_TOKENLESS);
        Diagnostic d = only(validate(ra("web", TO_PUBLIC), onTeam, replaced), Severity.WARNING);
        assertTrue(d.summary().endsWith("requests without a token are let through: no AuthorizationPolicy requires one on the"
                + " pods of Gateway web/public"), d.summary());
        assertTrue(d.detail().contains("; DENY web/deny-tokenless asks for labels {team=web}, which none of them carries"), d.detail());

        // without the object (nor its class): the template's labels are a guess, the policy may take some of the pods
        d = only(validate(ra("web", TO_PUBLIC), onTeam), Severity.INFO);
        assertTrue(d.detail().contains("if Gateway web/public is a Gateway API gateway: a token is required only in part (DENY"
                + " web/deny-tokenless requires a token only on the workloads also labelled {team=web})"), d.detail());
        assertTrue(!d.detail().contains("none of them"), d.detail());
    }

    @Test
    void aNamespaceWideRequestAuthenticationIsCoveredOnlyOnTheTargetedGatewaysPods() {
        Diagnostic d = only(validate(ra("web", ""), policy("deny_tokenless", "web", TO_PUBLIC + DENY_TOKENLESS)), Severity.WARNING);
        assertTrue(d.summary().endsWith("let through on some of every workload in namespace web"), d.summary());
        assertTrue(d.detail().contains("only on the pods of Gateway web/public"), d.detail());
    }

    @Test
    void aPolicyOnAServiceCoversNoGatewayTarget() {
        var both = ra("web", "targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: public},"
                + " {group: \"\", kind: Service, name: api}]\n");
        var onService = policy("deny_tokenless", "web", "targetRefs: [{group: \"\", kind: Service, name: api}]\n" + DENY_TOKENLESS);
        // before, a policy on either target counted for both; the Gateway's class says it is no waypoint
        Diagnostic d = only(validate(both, onService, gateway("istio")), Severity.WARNING);
        assertTrue(d.summary().endsWith("no AuthorizationPolicy requires one on the pods of Gateway web/public"), d.summary());
    }

    @Test
    void aSelectorPolicyOnAGatewayOfUnknownClassIsANoteForBothCases() {
        var targeted = ra("web", TO_PUBLIC);
        var bySelector = policy("deny_tokenless", "web", "selector: {matchLabels: {" + PolicyTarget.GATEWAY_NAME_LABEL
                + ": public}}\n" + DENY_TOKENLESS);
        Diagnostic d = only(validate(targeted, bySelector), Severity.INFO);
        assertTrue(d.summary().contains("whether requests without a token are let through on the pods of Gateway web/public"
                + " depends on what the check cannot tell"), d.summary());
        assertTrue(d.detail().contains("if Gateway web/public is a Gateway API gateway: a token is required (DENY web/deny-tokenless")
                && d.detail().contains("if Gateway web/public is a waypoint (gatewayClassName istio-waypoint, which takes no"
                + " policy by selector): requests without a token are let through"), d.detail());
    }

    @Test
    void theStacksGatewaySaysWhetherItIsAWaypoint() {
        var targeted = ra("web", TO_PUBLIC);
        var bySelector = policy("deny_tokenless", "web", "selector: {matchLabels: {" + PolicyTarget.GATEWAY_NAME_LABEL
                + ": public}}\n" + DENY_TOKENLESS);
        assertEquals(List.of(), validate(targeted, bySelector, gateway("istio")));
        Diagnostic d = only(validate(targeted, bySelector, gateway("istio-waypoint")), Severity.WARNING);
        assertTrue(d.summary().endsWith("no AuthorizationPolicy requires one on the pods of Gateway web/public (a waypoint)"),
                d.summary());
        var onWaypoints = policy("deny_tokenless", "istio-system", "targetRefs: [{group: gateway.networking.k8s.io,"
                + " kind: GatewayClass, name: istio-waypoint}]\n" + DENY_TOKENLESS);
        assertEquals(List.of(), validate(targeted, onWaypoints, gateway("istio-waypoint")));
    }

    @Test
    void theRunningPodsSayWhetherItIsAWaypointAtPlan() {
        var targeted = ra("web", TO_PUBLIC);
        var bySelector = policy("deny_tokenless", "web", "selector: {matchLabels: {" + PolicyTarget.GATEWAY_NAME_LABEL
                + ": public}}\n" + DENY_TOKENLESS);
        FakeCluster waypoint = new FakeCluster();
        waypoint.pods.add(proxy("waypoint"));
        only(run(CheckContext.Purpose.PLAN, waypoint, targeted, bySelector), Severity.WARNING);
        FakeCluster router = new FakeCluster();
        router.pods.add(proxy("router"));
        assertEquals(List.of(), run(CheckContext.Purpose.PLAN, router, targeted, bySelector));
    }

    @Test
    void aServiceTargetIsJudgedOnTheWaypointOnly() {
        var onService = ra("web", "targetRefs: [{group: \"\", kind: Service, name: api}]\n");
        Diagnostic alone = only(validate(onService), Severity.WARNING);
        assertTrue(alone.summary().endsWith("on the waypoint that serves Service web/api (istiod attaches a Service target to"
                + " waypoints only)"), alone.summary());
        assertEquals(List.of(), validate(onService, policy("deny_tokenless", "web",
                "targetRefs: [{kind: Service, name: api}]\n" + DENY_TOKENLESS)));
        // a selector policy never reaches a waypoint
        only(validate(onService, policy("deny_tokenless", "web", DENY_TOKENLESS)), Severity.WARNING);
        // which waypoint serves it is not modelled: a policy on a waypoint's Gateway may or may not be there
        Diagnostic d = only(validate(onService, policy("deny_tokenless", "web", "targetRefs: [{group:"
                + " gateway.networking.k8s.io, kind: Gateway, name: waypoint}]\n" + DENY_TOKENLESS)), Severity.INFO);
        assertTrue(d.detail().contains("if no waypoint Gateway web/waypoint serves it: requests without a token are let through")
                && d.detail().contains("if the waypoint Gateway web/waypoint serves it (which waypoint serves it is not modelled):"
                + " a token is required"), d.detail());
    }

    @Test
    void aPolicyOnAServiceCoversAWaypointGatewayOnlyForThatService() {
        var targeted = ra("web", TO_PUBLIC);
        var onService = policy("deny_tokenless", "web", "targetRefs: [{kind: Service, name: api}]\n" + DENY_TOKENLESS);
        Diagnostic d = only(validate(targeted, onService, gateway("istio-waypoint")), Severity.WARNING);
        assertTrue(d.detail().contains("requires a token only on the requests to Service web/api, if this waypoint serves it"),
                d.detail());
    }

    /** A pod of Gateway web/public whose istio-proxy starts as {@code proxy <type>}. */
    private static Pod proxy(String type) {
        Pod p = FakeCluster.pod("web", "public-" + type, Map.of(PolicyTarget.GATEWAY_NAME_LABEL, "public"), false);
        p.getSpec().getContainers().add(new ContainerBuilder().withName("istio-proxy").withArgs("proxy", type).build());
        return p;
    }
}

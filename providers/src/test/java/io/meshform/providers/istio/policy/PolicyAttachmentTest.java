package io.meshform.providers.istio.policy;

import static io.meshform.providers.istio.policy.IngressCoverageTest.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The attachment rule of pilot/pkg/model/policyattachment.go ShouldAttachPolicy and authorization.go
 * ListAuthorizationPolicies (Istio 1.30.3), for the gateway pods ingress coverage judges.
 */
class PolicyAttachmentTest {
    private static final String ROOT = "istio-system";
    /** A pod of the Gateway API Gateway {@code public} in {@code ingress}, as Istio's kube-gateway template labels it. */
    private static final Map<String, String> GATEWAY_API = Map.of(PolicyTarget.GATEWAY_NAME_LABEL, "public",
            "gateway.istio.io/managed", "istio.io-gateway-controller");
    /** istioctl's ingress gateway: no gateway-name label. */
    private static final Map<String, String> CLASSIC = Map.of("istio", "ingressgateway");

    private static AuthzPolicy targeting(String namespace, String targets) {
        return policy("metadata: {namespace: " + namespace + ", name: p}\nspec: {action: DENY, " + targets
                + ", rules: [{to: [{operation: {paths: [\"/x\"]}}]}]}\n");
    }

    private static final String GATEWAY_PUBLIC = "targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: public}]";

    @Test
    void aGatewayTargetAttachesToThePodsOfThatGatewayInThePolicysNamespace() {
        assertTrue(PolicyAttachment.attaches(targeting("ingress", GATEWAY_PUBLIC), "ingress", GATEWAY_API, ROOT));
        assertFalse(PolicyAttachment.attaches(targeting("ingress", GATEWAY_PUBLIC.replace("public", "private")), "ingress",
                GATEWAY_API, ROOT), "another Gateway's name");
        assertFalse(PolicyAttachment.attaches(targeting("other", GATEWAY_PUBLIC), "ingress", GATEWAY_API, ROOT),
                "a policy in another namespace");
    }

    @Test
    void aRootNamespacePolicyWithTargetsReachesOnlyGatewaysInTheRootNamespace() {
        assertFalse(PolicyAttachment.attaches(targeting(ROOT, GATEWAY_PUBLIC), "ingress", GATEWAY_API, ROOT));
        assertTrue(PolicyAttachment.attaches(targeting(ROOT, GATEWAY_PUBLIC), ROOT, GATEWAY_API, ROOT));
    }

    @Test
    void theSingleTargetRefCountsAndATargetNamespaceMustBeThePods() {
        assertTrue(PolicyAttachment.attaches(targeting("ingress", "targetRef: {kind: Gateway, group: gateway.networking.k8s.io,"
                + " name: public}"), "ingress", GATEWAY_API, ROOT));
        assertFalse(PolicyAttachment.attaches(targeting("ingress", "targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io,"
                + " name: public, namespace: elsewhere}]"), "ingress", GATEWAY_API, ROOT));
    }

    @Test
    void theKindAndGroupMustBeGatewayApisGateway() {
        assertFalse(PolicyAttachment.attaches(targeting("ingress", "targetRefs: [{kind: Gateway, group: networking.istio.io,"
                + " name: public}]"), "ingress", GATEWAY_API, ROOT), "Istio's own Gateway kind");
        AuthzPolicy service = targeting("ingress", "targetRefs: [{kind: Service, group: \"\", name: public}]");
        assertFalse(PolicyAttachment.attaches(service, "ingress", GATEWAY_API, ROOT), "a Service target is for waypoints");
        assertEquals(List.of(new PolicyTarget("", "Service", "public", "")), PolicyAttachment.waypointOnly(service));
    }

    @Test
    void aPodWithoutTheGatewayNameLabelTakesNoPolicyWithTargets() {
        assertFalse(PolicyAttachment.attaches(targeting("ingress", GATEWAY_PUBLIC), "ingress",
                Map.of("istio", "ingressgateway", "app", "public"), ROOT));
    }

    @Test
    void selectorsStillAttachToBothKindsOfGateway() {
        AuthzPolicy selector = policy("metadata: {namespace: ingress, name: p}\nspec: {action: DENY, selector: {matchLabels:"
                + " {gateway.networking.k8s.io/gateway-name: public}}, rules: [{to: [{operation: {paths: [\"/x\"]}}]}]}\n");
        assertTrue(PolicyAttachment.attaches(selector, "ingress", GATEWAY_API, ROOT), "ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY");
        AuthzPolicy everything = policy("metadata: {namespace: istio-system, name: p}\nspec: {action: DENY}\n");
        assertTrue(PolicyAttachment.attaches(everything, "ingress", CLASSIC, ROOT));
        assertTrue(PolicyAttachment.attaches(everything, "ingress", GATEWAY_API, ROOT));
    }

    /** The waypoint branch of ShouldAttachPolicy: no selector, its own Gateway, a Service it serves, the waypoint class. */
    @Test
    void aWaypointTakesOnlyTargetedPoliciesForItselfOrTheServiceItServes() {
        List<PolicyTarget> api = List.of(new PolicyTarget("", "Service", "api", "ingress"));
        AuthzPolicy bySelector = policy("metadata: {namespace: ingress, name: p}\nspec: {action: DENY, selector: {matchLabels:"
                + " {" + PolicyTarget.GATEWAY_NAME_LABEL + ": public}}, rules: [{}]}\n");
        assertFalse(PolicyAttachment.attachesToWaypoint(bySelector.namespace(), bySelector.targets(), "ingress", "public", api, ROOT),
                "waypoints never use selector");
        AuthzPolicy own = targeting("ingress", GATEWAY_PUBLIC);
        assertTrue(PolicyAttachment.attachesToWaypoint(own.namespace(), own.targets(), "ingress", "public", List.of(), ROOT));
        assertFalse(PolicyAttachment.attachesToWaypoint(own.namespace(), own.targets(), null, null, api, ROOT),
                "which waypoint it is not known");
        AuthzPolicy service = targeting("ingress", "targetRefs: [{kind: Service, group: \"\", name: api}]");
        assertTrue(PolicyAttachment.attachesToWaypoint(service.namespace(), service.targets(), null, null, api, ROOT));
        assertFalse(PolicyAttachment.attachesToWaypoint(service.namespace(), service.targets(), "ingress", "public", List.of(), ROOT),
                "a Service the waypoint does not serve here");
        AuthzPolicy entry = targeting("ingress", "targetRefs: [{kind: ServiceEntry, group: networking.istio.io, name: api}]");
        assertFalse(PolicyAttachment.attachesToWaypoint(entry.namespace(), entry.targets(), null, null, api, ROOT),
                "a ServiceEntry is the external registry, not the Kubernetes Service of the same name");
        AuthzPolicy everyWaypoint = targeting(ROOT, "targetRefs: [{kind: GatewayClass, group: gateway.networking.k8s.io,"
                + " name: istio-waypoint}]");
        assertTrue(PolicyAttachment.attachesToWaypoint(ROOT, everyWaypoint.targets(), "ingress", "public", List.of(), ROOT));
        assertFalse(PolicyAttachment.attachesToWaypoint("ingress", everyWaypoint.targets(), "ingress", "public", List.of(), ROOT),
                "the waypoint class only from the root namespace");
    }
}

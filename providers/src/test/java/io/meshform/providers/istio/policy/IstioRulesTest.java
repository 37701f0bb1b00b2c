package io.meshform.providers.istio.policy;

import io.meshform.providers.istio.IstioProvider;

import static io.meshform.providers.TestSpecs.errors;
import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.spi.FieldProblem;
import io.meshform.engine.spi.ProviderSettings;
import io.meshform.providers.kubernetes.KubeConnection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IstioRulesTest {
    private final KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of()));
    private final IstioPolicyType peer = IstioProvider.peerAuthentication(kube);
    private final IstioPolicyType request = IstioProvider.requestAuthentication(kube);
    private final IstioPolicyType authz = IstioProvider.authorizationPolicy(kube);

    @Test
    void theGuidesPoliciesAreValid() {
        assertEquals(List.of(), errors(peer.validate(yaml("namespace: istio-system\nname: default\nmtls: {mode: STRICT}\n"))));
        assertEquals(List.of(), errors(peer.validate(yaml(
                "namespace: cortex\nname: mongo\nselector: {matchLabels: {app.kubernetes.io/name: mongodb}}\nmtls: {mode: PERMISSIVE}\n"))));
        assertEquals(List.of(), errors(peer.validate(yaml(
                "namespace: cortex-compute\nselector: {matchLabels: {spark-role: driver}}\nportLevelMtls: {\"8080\": {mode: DISABLE}}\n"))));
    }

    @Test
    void namespaceIsRequiredAndUnknownTopLevelFieldsAreNamed() {
        List<FieldProblem> p = peer.validate(yaml("mtls: {mode: STRICT}\nselectr: {}\n"));
        assertTrue(errors(p).contains("/namespace: missing required field `namespace`"), errors(p).toString());
        assertTrue(errors(p).contains("/selectr: unknown field `selectr` in istio.peerAuthentication"), errors(p).toString());
    }

    /**
     * A selector's one field is matchLabels: a typo is said with the stack's other errors, with the spelling, where
     * istioctl's refusal came only once the rest loaded. Its proto name match_labels, which istioctl accepts and the
     * CRD's schema does not (the apply failed: "field not declared in schema"), is refused too.
     */
    @Test
    void aSelectorsFieldIsMatchLabels() {
        for (IstioPolicyType type : List.of(peer, request, authz)) {
            assertEquals(List.of("/selector/matchLabel: unknown field `matchLabel` in selector"),
                    errors(type.validate(yaml("namespace: cortex\nselector: {matchLabel: {app: x}}\n"))), type.name());
        }
        // Istio's schema says it first, as a proto name, and the selector's own rule adds no second error.
        assertEquals(List.of("/selector/match_labels: `match_labels` is the protobuf name of `matchLabels`, which the API"
                + " server refuses"), errors(peer.validate(yaml("namespace: cortex\nselector: {match_labels: {app: x}}\n"))));
    }

    @Test
    void whatIstioChecksIsLeftToIstio() {
        // Each of these is refused by istioctl validate (IstioValidationTest shows it, at the line): meshform's own
        // rules say nothing, so there is one judge and it is Istio's code. An enum value or a type Istio's schema
        // refuses is the exception: meshform explains it at the value (IstioSpecSchemaTest: istioctl refuses it too).
        assertEquals(List.of("/mtls/mode: unknown value `strict`: Istio's PeerAuthentication accepts UNSET, DISABLE,"
                + " PERMISSIVE, STRICT"), errors(peer.validate(yaml("namespace: cortex\nmtls: {mode: strict}\n"))));
        assertEquals(List.of(), errors(peer.validate(yaml("namespace: cortex\nportLevelMtls: {\"8080\": {mode: DISABLE}}\n"))));
        assertEquals(List.of(), errors(authz.validate(yaml("namespace: cortex\naction: CUSTOM\n"))));
        assertEquals(List.of(), errors(authz.validate(yaml("namespace: cortex\naction: DENY\n"))));
        // Istio accepts a JWT rule with jwksUri and no issuer; meshform did not, and now agrees.
        assertEquals(List.of(), errors(request.validate(yaml("namespace: cortex\njwtRules: [{jwksUri: https://idp/keys}]\n"))));
    }

    @Test
    void rulesOnlyTheCrdsCelValidationsHoldAreMeshforms() {
        assertEquals(List.of("/jwtRules/0/jwks: set one of `jwksUri` (or `jwks_uri`) and inline `jwks`, not two"),
                errors(request.validate(yaml("namespace: cortex\njwtRules: [{issuer: https://idp, jwksUri: https://idp/keys, jwks: '{}'}]\n"))));
        // the CEL rule counts the two spellings of jwksUri as well
        assertEquals(List.of("/jwtRules/0/jwks_uri: set one of `jwksUri` (or `jwks_uri`) and inline `jwks`, not two"),
                errors(request.validate(yaml("namespace: cortex\njwtRules: [{issuer: https://idp, jwksUri: https://idp/keys,"
                        + " jwks_uri: https://idp/keys}]\n"))));
        assertEquals(List.of("/metrics/0/reportingInterval: reportingInterval must be a duration of at least 1ms, not -1s"),
                errors(IstioProvider.telemetry(kube).validate(yaml("namespace: x\nmetrics: [{reportingInterval: -1s}]\n"))));
        var telemetry = IstioProvider.telemetry(kube);
        assertEquals(List.of("/metrics/0/reportingInterval: reportingInterval must be a duration of at least 1ms, not 500us"),
                errors(telemetry.validate(yaml("namespace: x\nmetrics: [{reportingInterval: 500us}]\n"))));
        assertEquals(List.of(), errors(telemetry.validate(yaml("namespace: x\nmetrics: [{reportingInterval: 1m30s}]\n"))));
    }

    @Test
    void inlineJwksIsSensitive() {
        assertEquals(java.util.Set.of("/jwtRules/*/jwks"), request.sensitivePaths());
        // Every rule, not the first twenty: a pattern, not an enumeration.
        var spec = yaml("namespace: n\njwtRules:\n" + "- {issuer: https://a, jwks: '{\"keys\":[]}'}\n".repeat(25));
        var masked = io.meshform.engine.plan.Sensitive.mask(spec, request.sensitivePaths());
        assertEquals(io.meshform.engine.plan.Sensitive.MASK, masked.at("/jwtRules/24/jwks").asString());
        assertTrue(peer.sensitivePaths().isEmpty());
    }

    @Test
    void projectionKeepsDeclaredAndOwnedSpecFieldsOnly() {
        var live = new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder().withApiVersion("security.istio.io/v1")
                .withKind("PeerAuthentication").withNewMetadata().withName("default").withNamespace("cortex").endMetadata().build();
        live.setAdditionalProperty("spec", Map.of("mtls", Map.of("mode", "PERMISSIVE"), "portLevelMtls", Map.of()));
        var spec = yaml("namespace: cortex\nname: default\nmtls: {mode: STRICT}\n");
        var before = peer.project(spec, io.meshform.providers.kubernetes.Json.toNode(live));
        assertEquals(yaml("namespace: cortex\nname: default\nmtls: {mode: PERMISSIVE}\n"), before);
        var change = peer.plan(new io.meshform.engine.spi.PlanRequest(io.meshform.engine.model.ResourceAddress.parse(
                "istio.peerAuthentication.cortex"), spec, null, new io.meshform.engine.spi.LiveObject(before, "7")));
        assertEquals(io.meshform.engine.spi.Action.UPDATE, change.action());
        assertEquals("mtls.mode changed", change.reason());
    }
}

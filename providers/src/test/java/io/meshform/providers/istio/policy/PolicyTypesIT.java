package io.meshform.providers.istio.policy;

import io.meshform.providers.istio.IstioCrds;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.meshform.engine.spi.Action;
import io.meshform.providers.Harness;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RequestAuthentication, AuthorizationPolicy (CUSTOM, as the Cortex ingress uses it) and Telemetry on the real API
 * server: create, no-op, an outside change read back as an update whose apply the server's dry-run says conflicts
 * with the editor's field manager, delete.
 */
@LiveClusterTest
class PolicyTypesIT {
    @BeforeEach
    void crds(ClusterContext cluster) {
        IstioCrds.ensure(cluster);
    }

    private static ResourceDefinitionContext context(String group, String kind, String plural) {
        return new ResourceDefinitionContext.Builder().withGroup(group).withVersion("v1").withKind(kind).withPlural(plural)
                .withNamespaced(true).build();
    }

    @SuppressWarnings("unchecked")
    private static void cycle(ClusterContext cluster, String address, String specYaml, ResourceDefinitionContext ctx,
                              String field, Object outsideValue) {
        String ns = cluster.newNamespace();
        String name = address.substring(address.lastIndexOf('.') + 1);
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of())) {
            var spec = yaml("namespace: " + ns + "\nname: " + name + "\n" + specYaml);
            assertEquals(Action.CREATE, h.plan(address, spec).action());
            h.apply(address, spec);
            var op = cluster.client().genericKubernetesResources(ctx).inNamespace(ns);
            assertNotNull(op.withName(name).get(), address + " exists");
            assertEquals(Action.NOOP, h.plan(address, spec).action(), "a second plan shows no change");

            op.withName(name).edit(o -> {
                Map<String, Object> s = new HashMap<>((Map<String, Object>) o.getAdditionalProperties().get("spec"));
                s.put(field, outsideValue);
                o.getAdditionalProperties().put("spec", s);
                return o;
            });
            var drifted = h.plan(address, spec);
            assertEquals(Action.UPDATE, drifted.action(), "the outside change to " + field + " is read back");
            assertTrue(drifted.reason().contains(field), drifted.reason());
            // The edit made its manager the field's owner: the apply this plan promises meets a conflict, and says so.
            assertEquals(1, drifted.warnings().size(), drifted.warnings().toString());
            assertTrue(drifted.warnings().get(0).startsWith("the server reports a conflict: Apply failed with 1 conflict")
                    && drifted.warnings().get(0).endsWith("apply will fail unless the stack sets force: true"),
                    drifted.warnings().get(0));

            h.delete(address);
            assertNull(op.withName(name).get(), address + " deleted");
        }
    }

    @Test
    void requestAuthentication(ClusterContext cluster) {
        cycle(cluster, "istio.requestAuthentication.jwt", """
                selector: {matchLabels: {istio: ingressgateway}}
                jwtRules:
                  - issuer: https://oidc.example.com
                    jwksUri: https://oidc.example.com/keys
                    fromCookies: [session]
                    forwardOriginalToken: true
                """, context("security.istio.io", "RequestAuthentication", "requestauthentications"),
                "selector", Map.of("matchLabels", Map.of("istio", "other")));
    }

    @Test
    void customAuthorizationPolicy(ClusterContext cluster) {
        cycle(cluster, "istio.authorizationPolicy.ingress", """
                selector: {matchLabels: {istio: ingressgateway}}
                action: CUSTOM
                provider: {name: cortex-auth-proxy}
                rules: [{to: [{operation: {paths: ["/fabric/*"]}}]}]
                """, context("security.istio.io", "AuthorizationPolicy", "authorizationpolicies"),
                // An outside change Istio accepts: its validation refuses action DENY beside a provider.
                "provider", Map.of("name", "another-auth-proxy"));
    }

    @Test
    void telemetry(ClusterContext cluster) {
        cycle(cluster, "istio.telemetry.tracing", """
                tracing: [{providers: [{name: zipkin}], randomSamplingPercentage: 10.0}]
                """, context("telemetry.istio.io", "Telemetry", "telemetries"), "tracing",
                java.util.List.of(Map.of("providers", java.util.List.of(Map.of("name", "zipkin")), "randomSamplingPercentage", 50)));
    }
}

package io.meshform.providers.istio.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.Severity;
import io.meshform.engine.model.Stack;
import io.meshform.engine.spi.CheckContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An Istio object labelled {@code istio.io/rev} with a revision no istiod serves is read by no istiod
 * ({@code inRevision}, pilot/pkg/config/kube/crdclient/client.go; {@code LabelsInRevision}, pkg/config/model.go, Istio
 * 1.30.3). Seen on the test bed's istiod (revision default, `bin/dev-cluster proxy-config`): a pod's port 8080 stayed
 * PERMISSIVE under a mesh-wide STRICT PeerAuthentication labelled {@code istio.io/rev: canary}, and became STRICT when
 * the label said {@code default} or was removed. The plan of that policy said "this plan breaks 1 connection(s)".
 */
class ConfigRevisionIgnoredTest {
    @TempDir
    Path dir;

    private Stack strict(String labels) {
        return Stacks.load(dir, """
                  - type: kubernetes.manifest
                    name: strict
                    spec:
                      manifest:
                        apiVersion: security.istio.io/v1
                        kind: PeerAuthentication
                        metadata:
                          name: default
                          namespace: istio-system
                          labels: %s
                        spec:
                          mtls: {mode: STRICT}
                """.formatted(labels));
    }

    private static FakeCluster cluster() {
        FakeCluster c = new FakeCluster().namespace("shop").namespace("legacy").namespace("istio-system").istiod("default");
        c.pods.add(FakeCluster.pod("shop", "api-0", Map.of("app", "api"), true, 8080));
        c.pods.add(FakeCluster.pod("legacy", "client", Map.of("app", "client"), false));
        c.service("shop", "api", Map.of("app", "api"), 8080);
        return c;
    }

    private static String warnings(List<Diagnostic> ds) {
        return ds.stream().filter(d -> d.severity() == Severity.WARNING).map(Diagnostic::summary).collect(Collectors.joining("\n"));
    }

    @Test
    void aPolicyForARevisionNoIstiodServesBreaksNothingAndIsSaidToBeIgnored() {
        CheckContext plan = Stacks.plan(strict("{istio.io/rev: canary}"));
        FakeCluster c = cluster();
        assertEquals("", warnings(MtlsReachability.findings(c.mesh(plan))));
        List<Diagnostic> ds = ConfigRevisionIgnored.findings(c.mesh(plan));
        assertEquals(1, ds.size(), ds.toString());
        assertEquals("kubernetes.manifest.strict: no istiod reads PeerAuthentication istio-system/default: it is labelled"
                + " istio.io/rev=canary, and the control plane serves revision default", ds.get(0).summary());
        assertEquals(14, ds.get(0).range().line(), ds.get(0).format());
    }

    @Test
    void aPolicyForTheServedRevisionCounts() {
        for (String labels : List.of("{istio.io/rev: default}", "{}")) {
            CheckContext plan = Stacks.plan(strict(labels));
            FakeCluster c = cluster();
            assertTrue(warnings(MtlsReachability.findings(c.mesh(plan))).contains(
                    "mTLS: legacy/client -> shop/api-0:8080 (via api:8080) breaks: plaintext to a port that requires mTLS"), labels);
            assertEquals(List.of(), ConfigRevisionIgnored.findings(c.mesh(plan)));
        }
    }

    /** The stack's install of revision canary serves it after the plan. */
    @Test
    void aRevisionTheStackInstallsServesIt() {
        Stack stack = Stacks.load(dir, """
                  - type: istio.install
                    name: canary
                    spec: {version: "1.30.3", revision: canary}
                  - type: kubernetes.manifest
                    name: strict
                    spec:
                      manifest:
                        apiVersion: security.istio.io/v1
                        kind: PeerAuthentication
                        metadata: {name: default, namespace: istio-system, labels: {istio.io/rev: canary}}
                        spec: {mtls: {mode: STRICT}}
                """);
        assertEquals(List.of(), ConfigRevisionIgnored.findings(cluster().mesh(Stacks.plan(stack))));
    }

    /** A live mesh-wide STRICT for revision canary is in no istiod's mesh: the clients reaching the pod stay unbroken. */
    @Test
    void aLivePolicyForARevisionNoIstiodServesIsNotInTheMesh() {
        FakeCluster c = cluster();
        c.peer("istio-system", "default", "2026-01-01T00:00:00Z", "mtls: {mode: STRICT}");
        c.peerRevisions.put("istio-system/default", "canary");
        Stack stack = Stacks.load(dir, """
                  - type: istio.peerAuthentication
                    name: shop
                    spec: {namespace: shop, name: default, mtls: {mode: PERMISSIVE}}
                """);
        PlannedMesh mesh = c.mesh(Stacks.plan(stack));
        assertEquals(List.of("shop/default"), mesh.peerPolicies().stream().map(p -> p.id()).toList());
        assertEquals(List.of(), mesh.livePeerPolicies());
        assertTrue(!warnings(MtlsReachability.findings(c.mesh(Stacks.plan(stack)))).contains("broken already"));
    }

    /** Validate reads no cluster and cannot know which revisions run: it says nothing and drops nothing. */
    @Test
    void validateDoesNotKnowTheRevisions() {
        Stack stack = strict("{istio.io/rev: canary}");
        CheckContext validate = new CheckContext(stack, Stacks.plan(stack).after(), Map.of(), CheckContext.Purpose.VALIDATE);
        PlannedMesh mesh = ClusterViews.none(validate);
        assertEquals(List.of(), ConfigRevisionIgnored.findings(mesh));
        assertEquals(1, mesh.peerPolicies().size());
    }

    /**
     * The AuthorizationPolicies the ingress and token checks judge leave out a live one for a revision no istiod serves
     * (a CUSTOM policy that would send /api/* to the auth proxy sends nothing).
     */
    @Test
    void aLiveAuthorizationPolicyForARevisionNoIstiodServesIsNotJudged() {
        FakeCluster c = cluster().authorizationPolicy("istio-system", "ext-authz", "selector: {matchLabels: {istio: ingressgateway}}\n"
                + "action: CUSTOM\nprovider: {name: auth}\nrules: [{to: [{operation: {paths: [\"/api/*\"]}}]}]\n")
                .authorizationPolicy("istio-system", "deny-admin", "action: DENY\nrules: [{to: [{operation: {paths: [\"/admin\"]}}]}]\n");
        ((tools.jackson.databind.node.ObjectNode) c.authorizationPolicies.get(0).path("metadata")).putObject("labels")
                .put("istio.io/rev", "canary");
        PlannedMesh mesh = c.mesh(Stacks.plan(strict("{}")));
        assertEquals(List.of("istio-system/deny-admin"), mesh.authorizationPolicies().stream()
                .map(a -> a.object().path("metadata").path("namespace").asString() + "/"
                        + a.object().path("metadata").path("name").asString()).toList());
    }

    /**
     * A DestinationRule turning TLS off towards a STRICT server breaks its sidecar clients, unless it is labelled for a
     * revision no istiod serves: then auto-mTLS still sends Istio mTLS.
     */
    @Test
    void aDestinationRuleForARevisionNoIstiodServesBreaksNothing() {
        for (String labels : List.of("{istio.io/rev: canary}", "{}")) {
            FakeCluster c = cluster();
            c.pods.add(FakeCluster.pod("shop", "web-0", Map.of("app", "web"), true));
            c.peer("istio-system", "default", "2026-01-01T00:00:00Z", "mtls: {mode: STRICT}");
            Stack stack = Stacks.load(dir, """
                      - type: kubernetes.manifest
                        name: plain
                        spec:
                          manifest:
                            apiVersion: networking.istio.io/v1
                            kind: DestinationRule
                            metadata: {name: api-plain, namespace: shop, labels: %s}
                            spec: {host: api.shop.svc.cluster.local, trafficPolicy: {tls: {mode: DISABLE}}}
                    """.formatted(labels));
            boolean breaks = warnings(MtlsReachability.findings(c.mesh(Stacks.plan(stack))))
                    .contains("shop/web-0 -> shop/api-0:8080 (via api:8080) breaks");
            assertEquals(labels.equals("{}"), breaks, labels + ": " + warnings(MtlsReachability.findings(c.mesh(Stacks.plan(stack)))));
        }
    }

    /** A DENY by identity on plaintext ports is judged only when some istiod reads it. */
    @Test
    void aDenyPolicyForARevisionNoIstiodServesIsNotJudgedOnPlaintext() {
        for (String labels : List.of("{istio.io/rev: canary}", "{}")) {
            Stack stack = Stacks.load(dir, """
                      - type: kubernetes.manifest
                        name: no-legacy
                        spec:
                          manifest:
                            apiVersion: security.istio.io/v1
                            kind: AuthorizationPolicy
                            metadata: {name: no-legacy, namespace: shop, labels: %s}
                            spec: {action: DENY, selector: {matchLabels: {app: api}}, rules: [{from: [{source: {namespaces: [legacy]}}]}]}
                    """.formatted(labels));
            assertEquals(labels.equals("{}") ? 1 : 0, DenyByIdentityOnPlaintext.findings(cluster().mesh(Stacks.plan(stack))).size(),
                    labels);
        }
    }

    /**
     * A RequestAuthentication no istiod reads verifies no token, so "it does not require one" would be a statement
     * about a policy that does nothing: config-revision-ignored speaks for it instead.
     */
    @Test
    void aRequestAuthenticationNoIstiodReadsGetsNoTokenFinding() {
        for (String labels : List.of("{istio.io/rev: canary}", "{istio.io/rev: default}")) {
            Stack stack = Stacks.load(dir, """
                      - type: kubernetes.manifest
                        name: jwt
                        spec:
                          manifest:
                            apiVersion: security.istio.io/v1
                            kind: RequestAuthentication
                            metadata: {name: jwt, namespace: shop, labels: %s}
                            spec:
                              jwtRules: [{issuer: "https://a.example.com", jwksUri: "https://a.example.com/jwks"}]
                    """.formatted(labels));
            List<Diagnostic> ds = TokenNotRequired.findings(cluster().mesh(Stacks.plan(stack)));
            assertEquals(labels.contains("canary") ? 0 : 1, ds.size(), labels + ": " + ds);
        }
    }

    /** The revision of an install the plan removes is served by nothing after it: a policy labelled with it is ignored. */
    @Test
    void aRevisionWhoseInstallThePlanRemovesIsNotServedAfterIt() {
        Stack stack = strict("{istio.io/rev: canary}");
        CheckContext plan = Stacks.plan(stack);
        FakeCluster c = cluster().istiod("canary");
        assertEquals(List.of(), ConfigRevisionIgnored.findings(c.mesh(plan)), "canary's istiod runs and stays");
        CheckContext retiring = new CheckContext(stack, plan.after(), Map.of(
                io.meshform.engine.model.ResourceAddress.parse("istio.install.canary"),
                io.meshform.providers.TestSpecs.yaml("version: \"1.30.3\"\nrevision: canary\n")), CheckContext.Purpose.PLAN);
        List<Diagnostic> ds = ConfigRevisionIgnored.findings(cluster().istiod("canary").mesh(retiring));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().contains("labelled istio.io/rev=canary"), ds.get(0).summary());
    }
}

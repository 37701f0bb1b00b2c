package io.meshform.providers.istio.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.Severity;
import io.meshform.engine.model.Stack;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * During a canary two istiods run (revisions default and canary), and each configures only the proxies connected to
 * it, from the config objects it reads: the unlabelled ones and those labelled {@code istio.io/rev} with its own
 * revision ({@code inRevision}, pilot/pkg/config/kube/crdclient/client.go; {@code LabelsInRevision},
 * pkg/config/model.go, Istio 1.30.3). A pod's proxy is served by the revision whose injector gave it its sidecar (the
 * {@code istio.io/rev} annotation the injector writes). Before, an object labelled for one running revision counted
 * for every pod.
 */
class ConfigRevisionPerProxyTest {
    @TempDir
    Path dir;

    /** A sidecar pod injected by {@code revision}'s injector (its {@code istio.io/rev} annotation). */
    static Pod injectedBy(String revision, String ns, String name, Map<String, String> labels, int... ports) {
        Pod p = FakeCluster.pod(ns, name, labels, true, ports);
        p.getMetadata().setAnnotations(new java.util.HashMap<>(Map.of("istio.io/rev", revision)));
        return p;
    }

    /** Both revisions running; shop/api-0 served by default, pay/pay-0 by canary, a plaintext client in legacy. */
    private static FakeCluster canary() {
        FakeCluster c = new FakeCluster().namespace("shop").namespace("pay").namespace("legacy").namespace("istio-system")
                .istiod("default").istiod("canary");
        c.pods.add(injectedBy("default", "shop", "api-0", Map.of("app", "api"), 8080));
        c.pods.add(injectedBy("canary", "pay", "pay-0", Map.of("app", "pay"), 8080));
        c.pods.add(FakeCluster.pod("legacy", "client", Map.of("app", "client"), false));
        c.service("shop", "api", Map.of("app", "api"), 8080);
        c.service("pay", "pay", Map.of("app", "pay"), 8080);
        return c;
    }

    private Stack manifest(String kind, String metadata, String spec) {
        return Stacks.load(dir, """
                  - type: kubernetes.manifest
                    name: it
                    spec:
                      manifest:
                        apiVersion: %s
                        kind: %s
                        metadata: %s
                        spec: %s
                """.formatted(kind.equals("DestinationRule") ? "networking.istio.io/v1" : "security.istio.io/v1", kind, metadata, spec));
    }

    private static String warnings(List<Diagnostic> ds) {
        return ds.stream().filter(d -> d.severity() == Severity.WARNING).map(d -> d.summary() + "\n" + d.detail())
                .collect(Collectors.joining("\n"));
    }

    /** Mesh-wide STRICT labelled canary: canary's pod requires mTLS, default's stays PERMISSIVE and takes plaintext. */
    @Test
    void aMeshWideStrictForOneRevisionLeavesTheOtherRevisionsPodsPermissive() {
        Stack stack = manifest("PeerAuthentication", "{name: default, namespace: istio-system, labels: {istio.io/rev: canary}}",
                "{mtls: {mode: STRICT}}");
        String w = warnings(MtlsReachability.findings(canary().mesh(Stacks.plan(stack))));
        assertTrue(w.contains("legacy/client -> pay/pay-0:8080 (via pay:8080) breaks: plaintext to a port that requires mTLS"), w);
        assertFalse(w.contains("shop/api-0"), w);
        assertEquals(List.of(), ConfigRevisionIgnored.findings(canary().mesh(Stacks.plan(stack))), "canary's istiod reads it");
    }

    /** The same policy unlabelled: both istiods read it, both pods require mTLS. */
    @Test
    void anUnlabelledPolicyActsOnEveryRevisionsPods() {
        Stack stack = manifest("PeerAuthentication", "{name: default, namespace: istio-system}", "{mtls: {mode: STRICT}}");
        String w = warnings(MtlsReachability.findings(canary().mesh(Stacks.plan(stack))));
        assertTrue(w.contains("pay/pay-0:8080") && w.contains("shop/api-0:8080"), w);
    }

    /**
     * The live policies keep their label into the judged mesh: a live mesh-wide STRICT labelled default makes default's
     * pods STRICT, canary's stay PERMISSIVE (Istio's default without a policy).
     */
    @Test
    void aLivePolicyLabelledForOneRevisionDecidesOnlyItsPods() {
        FakeCluster c = canary();
        c.peer("istio-system", "default", "2026-01-01T00:00:00Z", "mtls: {mode: STRICT}");
        c.peerRevisions.put("istio-system/default", "default");
        Stack stack = manifest("PeerAuthentication", "{name: open, namespace: legacy}", "{mtls: {mode: PERMISSIVE}}");
        var peers = c.mesh(Stacks.plan(stack)).peers();
        assertEquals("STRICT", peers.servedBy("default").effective("pay", Map.of("app", "pay")).mode().name());
        assertEquals("PERMISSIVE", peers.servedBy("canary").effective("pay", Map.of("app", "pay")).mode().name());
    }

    /** A DestinationRule turning TLS off, labelled canary, acts on canary's clients only. */
    @Test
    void aDestinationRuleForOneRevisionActsOnItsClientsOnly() {
        FakeCluster c = canary();
        c.pods.add(injectedBy("default", "legacy", "web-0", Map.of("app", "web")));
        c.pods.add(injectedBy("canary", "legacy", "next-0", Map.of("app", "next")));
        c.peer("istio-system", "default", "2026-01-01T00:00:00Z", "mtls: {mode: STRICT}");
        Stack stack = manifest("DestinationRule", "{name: api-plain, namespace: shop, labels: {istio.io/rev: canary}}",
                "{host: api.shop.svc.cluster.local, trafficPolicy: {tls: {mode: DISABLE}}}");
        String w = warnings(MtlsReachability.findings(c.mesh(Stacks.plan(stack))));
        // canary's two sidecar clients (pay-0 is one too) send plaintext; default's web-0 keeps auto mTLS
        assertTrue(w.contains("legacy/next-0, pay/pay-0 -> shop/api-0:8080 (via api:8080) breaks"), w);
        assertFalse(w.contains("web-0"), w);
    }

    /** A DENY by identity labelled canary is enforced on canary's pods only: a plaintext port of a default pod is no finding. */
    @Test
    void aDenyPolicyForOneRevisionIsJudgedOnItsPodsOnly() {
        for (String revision : List.of("default", "canary")) {
            FakeCluster c = canary();
            c.pods.add(injectedBy(revision, "shop", "db-0", Map.of("app", "db"), 5432));
            Stack stack = manifest("AuthorizationPolicy", "{name: no-legacy, namespace: shop, labels: {istio.io/rev: canary}}",
                    "{action: DENY, selector: {matchLabels: {app: db}}, rules: [{from: [{source: {namespaces: [legacy]}}]}]}");
            assertEquals(revision.equals("canary") ? 1 : 0, DenyByIdentityOnPlaintext.findings(c.mesh(Stacks.plan(stack))).size(),
                    revision);
        }
    }

    /**
     * A mesh-wide STRICT labelled canary: a known non-mTLS workload (Redis) served by default stays PERMISSIVE, so
     * strict-without-exceptions says nothing of it; served by canary, it is STRICT, and said so.
     */
    @Test
    void strictWithoutExceptionsJudgesThePodByItsOwnIstiod() {
        for (String revision : List.of("default", "canary")) {
            FakeCluster c = canary();
            c.pods.add(injectedBy(revision, "shop", "redis-0", Map.of("app", "redis"), 6379));
            Stack stack = manifest("PeerAuthentication", "{name: default, namespace: istio-system, labels: {istio.io/rev: canary}}",
                    "{mtls: {mode: STRICT}}");
            assertEquals(revision.equals("canary") ? 1 : 0, StrictWithoutExceptions.findings(c.mesh(Stacks.plan(stack))).size(),
                    revision);
        }
    }

    /**
     * A live DENY of /admin labelled canary, on the ingress gateway: the gateway served by default does not get it
     * (ingress coverage says /admin is let through), the gateway served by canary does (denied).
     */
    @Test
    void ingressCoverageAttachesAPolicyToTheGatewaysOfTheRevisionThatReadsIt() {
        for (String revision : List.of("default", "canary")) {
            Map<String, String> labels = new java.util.HashMap<>(IngressCoveragePerPodTest.GATEWAY);
            labels.put("istio.io/rev", revision);
            FakeCluster c = new FakeCluster().istiod("default").istiod("canary")
                    .gateway("istio-system", "istio-ingressgateway-5d8f-a", labels, null)
                    .authorizationPolicy("istio-system", "deny-admin", "selector: {matchLabels: {istio: ingressgateway}}\n"
                            + "action: DENY\nrules: [{to: [{operation: {paths: [\"/admin/*\"]}}]}]\n");
            ((tools.jackson.databind.node.ObjectNode) c.authorizationPolicies.get(0).path("metadata")).putObject("labels")
                    .put("istio.io/rev", "canary");
            List<Diagnostic> ds = IngressCoveragePerPodTest.plan(c, IngressAuthCoverageTest.INSTALL, IngressCoveragePerPodTest.custom());
            String admin = ds.stream().filter(d -> d.summary().startsWith("ingress coverage of")).findFirst()
                    .map(d -> IngressCoveragePerPodTest.row(d, "/admin/x")).orElse("");
            assertFalse(admin.isEmpty(), ds.toString());
            assertEquals(revision.equals("canary"), admin.contains("denied"), revision + ": " + admin);
        }
    }

    private static io.meshform.engine.spi.CheckContext validate(Stack stack) {
        var plan = Stacks.plan(stack);
        return new io.meshform.engine.spi.CheckContext(stack, plan.after(), Map.of(), io.meshform.engine.spi.CheckContext.Purpose.VALIDATE);
    }

    private Stack twoNamespacePolicies(String firstLabels, String secondLabels) {
        return Stacks.load(dir, """
                  - type: kubernetes.manifest
                    name: a
                    spec:
                      manifest:
                        apiVersion: security.istio.io/v1
                        kind: PeerAuthentication
                        metadata: {name: a, namespace: shop, labels: %s}
                        spec: {mtls: {mode: STRICT}}
                  - type: kubernetes.manifest
                    name: b
                    spec:
                      manifest:
                        apiVersion: security.istio.io/v1
                        kind: PeerAuthentication
                        metadata: {name: b, namespace: shop, labels: %s}
                        spec: {mtls: {mode: PERMISSIVE}}
                """.formatted(firstLabels, secondLabels));
    }

    /**
     * Two namespace-level PeerAuthentications, one per revision (a namespace's policy copied for the canary): no istiod
     * reads both, so neither shadows the other, in a plan and in validate. One unlabelled beside one labelled canary:
     * canary's istiod reads both and keeps one, and the error says for whose proxies.
     */
    @Test
    void namespacePoliciesConflictOnlyWhereOneIstiodReadsBoth() {
        Stack perRevision = twoNamespacePolicies("{istio.io/rev: default}", "{istio.io/rev: canary}");
        assertEquals(List.of(), ConflictingPeerAuthentications.findings(canary().mesh(Stacks.plan(perRevision))));
        assertEquals(List.of(), ConflictingPeerAuthentications.findings(canary().mesh(validate(perRevision))));
        Stack shared = twoNamespacePolicies("{}", "{istio.io/rev: canary}");
        List<Diagnostic> ds = ConflictingPeerAuthentications.findings(canary().mesh(Stacks.plan(shared)));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().startsWith("two namespace-level PeerAuthentications in shop (for the proxies of revision"
                + " canary, whose istiod reads both): "), ds.get(0).summary());
        assertEquals(1, ConflictingPeerAuthentications.findings(canary().mesh(validate(shared))).size());
        Stack unlabelled = twoNamespacePolicies("{}", "{}");
        assertTrue(ConflictingPeerAuthentications.findings(canary().mesh(Stacks.plan(unlabelled))).get(0).summary()
                .startsWith("two namespace-level PeerAuthentications in shop: "));
    }

    /** An EnvoyFilter removing ext_authz, labelled canary: it patches the gateway canary serves, not default's. */
    @Test
    void anEnvoyFilterPatchesOnlyTheGatewaysOfTheRevisionThatReadsIt() {
        for (String revision : List.of("default", "canary")) {
            Map<String, String> labels = new java.util.HashMap<>(IngressCoveragePerPodTest.GATEWAY);
            labels.put("istio.io/rev", revision);
            FakeCluster c = new FakeCluster().istiod("default").istiod("canary")
                    .gateway("istio-system", "istio-ingressgateway-5d8f-a", labels, null)
                    .envoyFilter("istio-system", "no-authz", IngressCoverageEnvoyFilterTest.removeExtAuthz("istio: ingressgateway", "GATEWAY"));
            ((tools.jackson.databind.node.ObjectNode) c.envoyFilters.get(0).path("metadata")).putObject("labels")
                    .put("istio.io/rev", "canary");
            assertEquals(revision.equals("canary") ? 1 : 0,
                    IngressCoverageEnvoyFilterTest.unknown(IngressCoverageEnvoyFilterTest.drift(c)).size(), revision);
        }
    }

    private Stack tokenRequiredFor(String requestAuthnLabels, String policyLabels) {
        return Stacks.load(dir, """
                  - type: kubernetes.manifest
                    name: jwt
                    spec:
                      manifest:
                        apiVersion: security.istio.io/v1
                        kind: RequestAuthentication
                        metadata: {name: jwt, namespace: shop, labels: %s}
                        spec:
                          jwtRules: [{issuer: "https://a.example.com", jwksUri: "https://a.example.com/jwks"}]
                  - type: kubernetes.manifest
                    name: require
                    spec:
                      manifest:
                        apiVersion: security.istio.io/v1
                        kind: AuthorizationPolicy
                        metadata: {name: require, namespace: shop, labels: %s}
                        spec: {rules: [{from: [{source: {requestPrincipals: ["*"]}}]}]}
                """.formatted(requestAuthnLabels, policyLabels));
    }

    /**
     * A token is required only on the proxies whose istiod reads the policy that requires it: an unlabelled
     * RequestAuthentication beside a requiring policy labelled canary lets requests without a token through on
     * default's proxies (said so, naming the revision); one labelled canary is required there.
     */
    @Test
    void aTokenIsRequiredOnlyWhereTheRequiringPolicysIstiodServes() {
        List<Diagnostic> ds = TokenNotRequired.findings(canary().mesh(Stacks.plan(tokenRequiredFor("{}", "{istio.io/rev: canary}"))));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().endsWith(" (for the proxies of revision default)"), ds.get(0).summary());
        assertTrue(ds.get(0).summary().contains("requests without a token are let through"), ds.get(0).summary());
        assertEquals(List.of(), TokenNotRequired.findings(canary().mesh(Stacks.plan(
                tokenRequiredFor("{istio.io/rev: canary}", "{istio.io/rev: canary}")))));
        assertEquals(1, TokenNotRequired.findings(canary().mesh(Stacks.plan(
                tokenRequiredFor("{istio.io/rev: canary}", "{istio.io/rev: default}")))).size());
        assertEquals(List.of(), TokenNotRequired.findings(canary().mesh(Stacks.plan(tokenRequiredFor("{}", "{}")))));
    }

    /**
     * The stack makes shop STRICT for canary's proxies only (its policy labelled canary); an unmanaged PERMISSIVE for
     * app=api labelled default is read by default's istiod alone, which never read the STRICT: nothing is weakened.
     * Unlabelled, canary's istiod reads both, and it is.
     */
    @Test
    void anUnmanagedPolicyWeakensTheStacksStrictOnlyWhereOneIstiodReadsBoth() {
        Stack stack = manifest("PeerAuthentication", "{name: strict, namespace: shop, labels: {istio.io/rev: canary}}",
                "{mtls: {mode: STRICT}}");
        for (String label : new String[] {"default", null}) {
            FakeCluster c = canary();
            c.peer("shop", "open", "2026-01-01T00:00:00Z", "selector: {matchLabels: {app: api}}\nmtls: {mode: PERMISSIVE}");
            if (label != null) {
                c.peerRevisions.put("shop/open", label);
            }
            List<Diagnostic> ds = UnmanagedWeakerMtls.findings(c.mesh(Stacks.plan(stack)));
            assertEquals(label == null ? 1 : 0, ds.size(), label + ": " + ds);
        }
    }

    /** A DENY labelled canary whose selector matches only default's pod enforces nothing: said so, and why. */
    @Test
    void aPolicyMatchingOnlyPodsOfAnotherRevisionSelectsNothing() {
        for (String revision : List.of("default", "canary")) {
            FakeCluster c = canary();
            c.pods.add(injectedBy(revision, "shop", "db-0", Map.of("app", "db"), 5432));
            Stack stack = manifest("AuthorizationPolicy", "{name: deny-db, namespace: shop, labels: {istio.io/rev: canary}}",
                    "{action: DENY, selector: {matchLabels: {app: db}}, rules: [{to: [{operation: {paths: [\"/admin\"]}}]}]}");
            List<Diagnostic> ds = AuthorizationSelectsNothing.findings(c.mesh(Stacks.plan(stack)));
            assertEquals(revision.equals("canary") ? 0 : 1, ds.size(), revision + ": " + ds);
            if (!ds.isEmpty()) {
                assertTrue(ds.get(0).summary().endsWith("matches only running pods in namespace shop that revision default serves,"
                        + " whose istiod does not read it (it is labelled istio.io/rev=canary)"), ds.get(0).summary());
            }
        }
    }

    /**
     * A namespace moved to the canary (labelled istio.io/rev: canary) whose pod still runs default's sidecar: the model
     * judges pods as they are once restarted, so the pod is the canary's, and a mesh-wide STRICT labelled canary makes
     * it refuse the plaintext client.
     */
    @Test
    void aPodOfANamespaceMovedToTheCanaryIsJudgedAsTheCanarysOnceRestarted() {
        FakeCluster c = new FakeCluster().namespace("pay", "istio.io/rev", "canary").namespace("legacy").namespace("istio-system")
                .istiod("default").istiod("canary").webhooks(List.of(Map.of("istio.io/rev", "default"), Map.of("istio.io/rev", "canary")));
        c.pods.add(injectedBy("default", "pay", "pay-0", Map.of("app", "pay"), 8080));
        c.pods.add(FakeCluster.pod("legacy", "client", Map.of("app", "client"), false));
        c.service("pay", "pay", Map.of("app", "pay"), 8080);
        Stack stack = manifest("PeerAuthentication", "{name: default, namespace: istio-system, labels: {istio.io/rev: canary}}",
                "{mtls: {mode: STRICT}}");
        String w = warnings(MtlsReachability.findings(c.mesh(Stacks.plan(stack))));
        assertTrue(w.contains("legacy/client -> pay/pay-0:8080 (via pay:8080) breaks: plaintext to a port that requires mTLS"), w);
    }
}

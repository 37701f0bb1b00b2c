package io.meshform.providers.istio.checks;

import static io.meshform.providers.TestSpecs.decl;
import static io.meshform.providers.istio.checks.MeshChecksTest.ctx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.Environment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A DENY by peer identity does not match a plaintext request (principalAuthenticated,
 * pilot/pkg/security/authz/model/principal.go), so on a PERMISSIVE or DISABLE port it lets plaintext callers through.
 */
class DenyByIdentityOnPlaintextTest {
    private static final String DENY_LEGACY = "namespace: cortex\naction: DENY\nselector: {matchLabels: {app: api}}\n"
            + "rules: [{from: [{source: {namespaces: [legacy]}}]}]\n";

    private static FakeCluster cortex() {
        return new FakeCluster().namespace("cortex", "istio-injection", "enabled").pod("cortex", "api-0", Map.of("app", "api"), 8080, 9090);
    }

    @Test
    void aDenyByNamespaceOnPermissivePortsNamesTheWorkloadPortsAndTheFix() {
        var deny = decl("istio.authorizationPolicy.no-legacy", DENY_LEGACY);
        List<Diagnostic> ds = DenyByIdentityOnPlaintext.findings(cortex().mesh(ctx(Environment.PRODUCTION, deny)));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().contains("DENY AuthorizationPolicy cortex/no-legacy"
                + " rule 0 matches callers by identity (from.source.namespaces [legacy]), but workloads it guards accept plaintext"),
                ds.get(0).summary());
        assertTrue(ds.get(0).detail().startsWith("accepting plaintext: cortex/api-0: port 8080 PERMISSIVE (no PeerAuthentication"
                + " sets a mode: Istio's default), port 9090 PERMISSIVE"), ds.get(0).detail());
        assertTrue(ds.get(0).detail().contains("(`notNamespaces` listing the callers to keep"), ds.get(0).detail());
    }

    @Test
    void strictMtlsOrANegativeMatchIsFine() {
        var deny = decl("istio.authorizationPolicy.no-legacy", DENY_LEGACY);
        assertEquals(List.of(), DenyByIdentityOnPlaintext.findings(cortex().mesh(ctx(Environment.PRODUCTION, deny,
                MeshChecksTest.MESH_STRICT))));
        var negative = decl("istio.authorizationPolicy.only-cortex", "namespace: cortex\naction: DENY\n"
                + "rules: [{from: [{source: {notNamespaces: [cortex]}}]}]\n");
        assertEquals(List.of(), DenyByIdentityOnPlaintext.findings(cortex().mesh(ctx(Environment.PRODUCTION, negative))));
    }

    @Test
    void onlyThePortsTheRuleGuardsAndThatStayPlaintextCount() {
        var portStrict = decl("istio.peerAuthentication.api", "namespace: cortex\nselector: {matchLabels: {app: api}}\n"
                + "mtls: {mode: STRICT}\nportLevelMtls: {9090: {mode: DISABLE}}\n");
        var deny = decl("istio.authorizationPolicy.no-admin", "namespace: cortex\naction: DENY\nselector: {matchLabels: {app: api}}\n"
                + "rules: [{from: [{source: {principals: [\"cluster.local/ns/legacy/sa/x\"]}}], to: [{operation: {ports: [\"8080\"]}}]}]\n");
        assertEquals(List.of(), DenyByIdentityOnPlaintext.findings(cortex().mesh(ctx(Environment.PRODUCTION, portStrict, deny))),
                "8080 is STRICT; 9090 is plaintext but the rule guards 8080 only");
        var anyPort = decl("istio.authorizationPolicy.no-admin", "namespace: cortex\naction: DENY\nselector: {matchLabels: {app: api}}\n"
                + "rules: [{from: [{source: {principals: [\"cluster.local/ns/legacy/sa/x\"]}}]}]\n");
        List<Diagnostic> ds = DenyByIdentityOnPlaintext.findings(cortex().mesh(ctx(Environment.PRODUCTION, portStrict, anyPort)));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).detail().startsWith("accepting plaintext: cortex/api-0: port 9090 DISABLE (PeerAuthentication cortex/api"),
                ds.get(0).detail());
    }

    @Test
    void aDenyByTrustDomainIsAnIdentityMatchToo() {
        var deny = decl("istio.authorizationPolicy.no-partner", "namespace: cortex\naction: DENY\n"
                + "rules: [{from: [{source: {trustDomains: [partner.example]}}]}]\n");
        List<Diagnostic> ds = DenyByIdentityOnPlaintext.findings(cortex().mesh(ctx(Environment.PRODUCTION, deny)));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().contains("(from.source.trustDomains [partner.example]), but workloads it guards accept"
                + " plaintext, and a plaintext request has no identity, so it is not denied"), ds.get(0).summary());
        assertTrue(ds.get(0).detail().contains("(`notTrustDomains` listing the callers to keep"), ds.get(0).detail());
    }

    @Test
    void anIpBlockInTheSameSourceDoesNotCatchPlaintextButAnotherSourceDoes() {
        var sameSource = decl("istio.authorizationPolicy.no-legacy", "namespace: cortex\naction: DENY\n"
                + "rules: [{from: [{source: {namespaces: [legacy], ipBlocks: [10.8.0.0/16]}}]}]\n");
        List<Diagnostic> ds = DenyByIdentityOnPlaintext.findings(cortex().mesh(ctx(Environment.PRODUCTION, sameSource)));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().endsWith("so it is not denied"), ds.get(0).summary());
        assertTrue(ds.get(0).detail().contains("is let through even when it matches ipBlocks [10.8.0.0/16]: the fields of one"
                + " source must all match"), ds.get(0).detail());

        var otherSource = decl("istio.authorizationPolicy.no-legacy", "namespace: cortex\naction: DENY\n"
                + "rules: [{from: [{source: {namespaces: [legacy]}}, {source: {remoteIpBlocks: [10.8.0.0/16]}}]}]\n");
        ds = DenyByIdentityOnPlaintext.findings(cortex().mesh(ctx(Environment.PRODUCTION, otherSource)));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().endsWith("a plaintext request has no identity, so it is denied only where another source"
                + " of the rule matches it (from[1] remoteIpBlocks [10.8.0.0/16])"), ds.get(0).summary());
        assertTrue(!ds.get(0).detail().contains("even when it matches"), ds.get(0).detail());
    }

    private static List<Diagnostic> when(String conditions, String sources) {
        var deny = decl("istio.authorizationPolicy.no-legacy", "namespace: cortex\naction: DENY\nselector: {matchLabels: {app: api}}\n"
                + "rules: [{" + sources + "when: [" + conditions + "]}]\n");
        return DenyByIdentityOnPlaintext.findings(cortex().mesh(ctx(Environment.PRODUCTION, deny)));
    }

    /**
     * Every {@code when} key istiod turns into a matcher of the peer certificate (model.go New: source.namespace,
     * source.principal, source.serviceAccount, source.trustDomain, all principalAuthenticated in generator.go) lets
     * plaintext through as the {@code from.source} field of the same attribute does; the warning names the condition
     * and both negative forms.
     */
    @Test
    void aWhenConditionOnEachPeerIdentityKeyIsAnIdentityMatch() {
        Map<String, String> keys = Map.of("source.namespace", "notNamespaces", "source.principal", "notPrincipals",
                "source.serviceAccount", "notServiceAccounts", "source.trustDomain", "notTrustDomains");
        keys.forEach((key, negative) -> {
            List<Diagnostic> ds = when("{key: " + key + ", values: [legacy]}", "");
            assertEquals(1, ds.size(), key + ": " + ds);
            assertTrue(ds.get(0).summary().endsWith("rule 0 matches callers by identity (when " + key + " [legacy]), but"
                    + " workloads it guards accept plaintext, and a plaintext request has no identity, so it is not denied"),
                    ds.get(0).summary());
            assertTrue(ds.get(0).detail().startsWith("accepting plaintext: cortex/api-0: port 8080 PERMISSIVE"), ds.get(0).detail());
            assertTrue(ds.get(0).detail().contains("Deny by negative match instead (`notValues` in the when condition on " + key
                    + ", or `" + negative + "` in a source listing the callers to keep"), ds.get(0).detail());
        });
    }

    @Test
    void theWarningPointsAtTheWhenCondition(@TempDir Path dir) {
        var stack = Stacks.load(dir, """
                  - type: istio.authorizationPolicy
                    name: no-legacy
                    spec:
                      namespace: cortex
                      action: DENY
                      selector: {matchLabels: {app: api}}
                      rules:
                        - when:
                            - key: request.headers[x-env]
                              values: [dev]
                            - key: source.namespace
                              values: [legacy]
                """);
        List<Diagnostic> ds = DenyByIdentityOnPlaintext.findings(cortex().mesh(Stacks.plan(stack)));
        assertEquals(1, ds.size(), ds.toString());
        assertEquals(15, ds.get(0).range().line(), ds.get(0).format());
    }

    /**
     * {@code notValues} alone is NOT(OR of the certificate matchers) (model.go rule.principal): a plaintext request
     * matches it and is denied. {@code values} next to them still needs a certificate.
     */
    @Test
    void notValuesAloneCatchPlaintextButValuesBesideThemDoNot() {
        assertEquals(List.of(), when("{key: source.namespace, notValues: [cortex]}", ""));
        assertEquals(List.of(), when("{key: source.principal, notValues: [\"cluster.local/ns/cortex/sa/web\"]}", ""));
        List<Diagnostic> ds = when("{key: source.namespace, values: [\"*\"], notValues: [cortex]}", "");
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().contains("(when source.namespace [*])"), ds.get(0).summary());
    }

    @Test
    void whenKeysThatAreNoPeerIdentityAreNotJudged() {
        assertEquals(List.of(), when("{key: source.ip, values: [10.8.0.0/16]}, {key: remote.ip, values: [10.8.0.0/16]},"
                + " {key: \"request.headers[x-env]\", values: [dev]}, {key: request.auth.principal, values: [\"iss/sub\"]},"
                + " {key: destination.port, values: [\"8080\"]}", ""));
    }

    /**
     * istiod ANDs each {@code when} condition into every source (model.go New copies the when principals into each
     * source's list): a source without identity does not catch plaintext once a {@code when} needs a certificate.
     */
    @Test
    void aWhenIdentityKeepsPlaintextOutOfEverySource() {
        List<Diagnostic> ds = when("{key: source.namespace, values: [legacy]}", "from: [{source: {ipBlocks: [10.8.0.0/16]}}], ");
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().endsWith("(when source.namespace [legacy]), but workloads it guards accept plaintext, and a"
                + " plaintext request has no identity, so it is not denied"), ds.get(0).summary());
        assertTrue(ds.get(0).detail().contains("is let through even when it matches ipBlocks [10.8.0.0/16]: a rule's when"
                + " conditions must all match, whichever source matches (istiod ANDs each one into every source"), ds.get(0).detail());

        ds = when("{key: source.principal, values: [\"cluster.local/ns/legacy/sa/x\"]}", "from: [{source: {namespaces: [legacy]}}], ");
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().contains("(when source.principal [cluster.local/ns/legacy/sa/x], from.source.namespaces"
                + " [legacy])"), ds.get(0).summary());
        assertTrue(ds.get(0).detail().contains("instead (`notValues` in the when condition on source.principal, or"
                + " `notPrincipals` in a source / `notNamespaces` listing"), ds.get(0).detail());

        // two sources are ORed: each is named on its own, next to the rule's other when conditions (ANDed)
        ds = when("{key: source.namespace, values: [legacy]}, {key: \"request.headers[x-env]\", values: [dev]}",
                "from: [{source: {ipBlocks: [10.8.0.0/16]}}, {source: {remoteIpBlocks: [192.0.2.0/24]}}], ");
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).detail().contains("even when it matches when request.headers[x-env] [dev], any of from[0] ipBlocks"
                + " [10.8.0.0/16] or from[1] remoteIpBlocks [192.0.2.0/24]: a rule's when conditions"), ds.get(0).detail());
    }
}

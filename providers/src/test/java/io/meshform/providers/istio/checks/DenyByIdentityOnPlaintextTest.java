package io.meshform.providers.istio.checks;

import static io.meshform.providers.TestSpecs.decl;
import static io.meshform.providers.istio.checks.MeshChecksTest.ctx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.Environment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
}

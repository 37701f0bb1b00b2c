package io.meshform.providers.istio.checks;

import static io.meshform.providers.TestSpecs.decl;
import static io.meshform.providers.istio.checks.MeshChecksTest.ctx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.Severity;
import io.meshform.engine.model.Environment;
import io.meshform.engine.spi.CheckContext;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Drift's mesh checks read the install as applied, from the state, which holds a digest where a sensitive variable
 * gave the value. A check that judged the digest printed something false ("no CUSTOM policy sends requests to provider
 * sha256:...", while a live policy uses the provider; a failOpen it could not see was passed over): it now says which
 * value it cannot judge, and never prints the digest.
 */
class DigestedInstallChecksTest {
    private static final String DIGEST = "sha256:" + "ab".repeat(32);

    private static CheckContext drift(String installSpec) {
        return ctx(CheckContext.Purpose.DRIFT, Environment.PRODUCTION, decl("istio.install.mesh", installSpec));
    }

    private static String text(List<Diagnostic> ds) {
        StringBuilder b = new StringBuilder();
        ds.forEach(d -> b.append(d.summary()).append(" | ").append(d.detail()).append('\n'));
        return b.toString();
    }

    @Test
    void aProviderNamedByASensitiveValueIsNotJudgedUnused() {
        FakeCluster live = new FakeCluster().authorizationPolicy("istio-system", "ingress-auth",
                "action: CUSTOM\nprovider: {name: proxy}\nrules: [{}]\n");
        List<Diagnostic> ds = IngressAuthUnused.findings(live.mesh(drift("version: \"1.30\"\nextAuthz: [{name: \"" + DIGEST
                + "\", service: p.cortex.svc.cluster.local, port: 8080, timeout: 5s}]\n")));
        assertEquals(List.of(Severity.INFO), ds.stream().map(Diagnostic::severity).toList(), text(ds));
        assertEquals("istio.install.mesh: cannot judge whether a CUSTOM policy uses the auth proxy at extAuthz[0]: its name"
                + " was applied as a sensitive value, which the state records only by its digest", ds.get(0).summary());
        assertFalse(text(ds).contains(DIGEST), text(ds));
    }

    @Test
    void anAuthProxySettingGivenByASensitiveValueIsNotJudged() {
        List<Diagnostic> ds = AuthProxyRisks.findings(new FakeCluster().mesh(drift("version: \"1.30\"\nextAuthz: [{name: proxy,"
                + " service: p.cortex.svc.cluster.local, port: 8080, timeout: 5s, failOpen: \"" + DIGEST + "\"}]\n")));
        assertEquals(List.of(Severity.INFO), ds.stream().map(Diagnostic::severity).toList(), text(ds));
        assertEquals("istio.install.mesh: cannot judge auth proxy proxy's failOpen: it was applied as a sensitive value,"
                + " which the state records only by its digest", ds.get(0).summary());
        // A named provider whose name is the secret: the risk is still reported, by where it is, not by the digest.
        ds = AuthProxyRisks.findings(new FakeCluster().mesh(drift("version: \"1.30\"\nextAuthz: [{name: \"" + DIGEST
                + "\", service: p.cortex.svc.cluster.local, port: 8080, timeout: 5s, failOpen: true}]\n")));
        assertEquals(List.of(Severity.WARNING), ds.stream().map(Diagnostic::severity).toList(), text(ds));
        assertTrue(ds.get(0).summary().startsWith("istio.install.mesh: auth proxy at extAuthz[0]: failOpen lets requests through"),
                text(ds));
        assertFalse(text(ds).contains(DIGEST), text(ds));
    }
    /**
     * The root namespace given by a sensitive variable: drift judged "as applied" with the digest as the root
     * namespace, where the mesh-wide STRICT policy in istio-system applies to nothing, so a plaintext client that was
     * refused as applied too was reported "broken in the live cluster (it worked as applied)".
     */
    @Test
    void mtlsReachabilityDoesNotCompareWithAnAppliedRootNamespaceItKnowsOnlyByItsDigest() {
        FakeCluster c = MtlsReachabilityTest.cortexCluster();
        c.pods.replaceAll(p -> FakeCluster.pod(p.getMetadata().getNamespace(), p.getMetadata().getName(),
                p.getMetadata().getLabels(), !p.getMetadata().getNamespace().equals("tools"),
                p.getSpec().getContainers().get(0).getPorts().stream().mapToInt(x -> x.getContainerPort()).toArray()));
        c.peer("istio-system", "default", "2026-01-01T00:00:00Z", "mtls: {mode: STRICT}");
        var install = decl("istio.install.mesh", "version: \"1.30\"\nmeshConfig: {rootNamespace: \"" + DIGEST + "\"}\n");
        var strict = decl("istio.peerAuthentication.mesh", "namespace: istio-system\nname: default\nmtls: {mode: STRICT}\n");
        List<Diagnostic> ds = MtlsReachability.findings(c.mesh(ctx(CheckContext.Purpose.DRIFT, Environment.PRODUCTION,
                install, strict)));
        assertEquals(List.of(Severity.INFO), ds.stream().map(Diagnostic::severity).toList(), text(ds));
        assertEquals("mTLS reachability: cannot compare the live cluster with what was applied: istio.install.mesh's"
                + " meshConfig.rootNamespace was applied as a sensitive value, which the state records only by its digest",
                ds.get(0).summary());
        assertFalse(text(ds).contains(DIGEST), text(ds));
    }
}

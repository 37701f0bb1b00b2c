package io.meshform.providers.istio.checks;

import static io.meshform.providers.TestSpecs.decl;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.Environment;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A CUSTOM policy whose provider the mesh config lacks: istiod's deny rules, as the test bed's istiod builds them for a
 * sidecar with an HTTP and a TCP port (a rule of paths alone becomes {@code any: true} on the TCP chain).
 */
class CustomProviderDeclaredTest {
    @Test
    void anUndeclaredProviderDeniesWhatTheRulesMatchAndEveryConnectionToATcpPortWhenTheyTestOnlyHttp() {
        var custom = decl("istio.authorizationPolicy.db", "namespace: cortex\naction: CUSTOM\nprovider: {name: nowhere}\n"
                + "selector: {matchLabels: {app: db}}\nrules: [{to: [{operation: {paths: [/x]}}]}]\n");
        FakeCluster live = new FakeCluster();
        live.mesh = "extensionProviders:\n- name: proxy\n  envoyExtAuthzHttp: {service: p.cortex.svc.cluster.local, port: 80}\n";
        List<Diagnostic> ds = CustomProviderDeclared.findings(live.mesh(MeshChecksTest.ctx(Environment.STAGING, custom)));
        assertEquals(1, ds.size(), ds.toString());
        assertEquals("istiod turns the policy's rules into DENY rules: every request they match gets 403 and none reaches an auth"
                + " proxy. On the workloads' TCP ports istiod drops the rules' HTTP conditions (paths, methods, hosts, headers), so"
                + " a rule made only of those refuses every connection there. Declared ext_authz providers: proxy", ds.get(0).detail());
    }
}

package io.meshform.providers.istio.checks;

import static io.meshform.providers.TestSpecs.decl;
import static io.meshform.providers.TestSpecs.stack;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.Environment;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

public class MeshChecksTest {
    public static CheckContext ctx(Environment env, ResourceDecl... decls) {
        Map<ResourceAddress, JsonNode> after = new LinkedHashMap<>();
        for (ResourceDecl d : decls) {
            after.put(d.address(), d.spec());
        }
        return new CheckContext(stack(env, decls), after);
    }

    public static final ResourceDecl MESH_STRICT = decl("istio.peerAuthentication.mesh", "namespace: istio-system\nname: default\nmtls: {mode: STRICT}\n");

    @Test
    void selectorInRootNamespace() {
        var d = decl("istio.peerAuthentication.x", "namespace: istio-system\nselector: {matchLabels: {a: b}}\nmtls: {mode: STRICT}\n");
        assertEquals(1, SelectorInRootNamespace.findings(ctx(Environment.STAGING, d)).size());
        assertEquals(0, SelectorInRootNamespace.findings(ctx(Environment.STAGING, MESH_STRICT)).size());
    }

    @Test
    void strictNamesUncoveredPods() {
        var pods = Map.of("spark-role=driver", List.of("cortex-compute/job-1-driver"),
                "app.kubernetes.io/name=mongodb", List.of("cortex/mongo-0"));
        java.util.function.Function<Map<String, String>, List<String>> podsOf =
                sel -> pods.getOrDefault(sel.entrySet().iterator().next().toString(), List.of());
        List<Diagnostic> ds = StrictWithoutExceptions.findings(ctx(Environment.STAGING, MESH_STRICT), podsOf);
        assertEquals(1, ds.size());
        assertTrue(ds.get(0).detail().contains("cortex-compute/job-1-driver") && ds.get(0).detail().contains("cortex/mongo-0"),
                ds.get(0).detail());
        var mongo = decl("istio.peerAuthentication.mongo",
                "namespace: cortex\nselector: {matchLabels: {app.kubernetes.io/name: mongodb}}\nmtls: {mode: PERMISSIVE}\n");
        var driver = decl("istio.peerAuthentication.spark_driver",
                "namespace: cortex-compute\nselector: {matchLabels: {spark-role: driver}}\nmtls: {mode: PERMISSIVE}\n");
        assertEquals(List.of(), StrictWithoutExceptions.findings(ctx(Environment.STAGING, MESH_STRICT, mongo, driver), podsOf));
    }

    @Test
    void packagedRedisAndMinioUnderStrictAreNamedWithTheGuidesAdvice() {
        var pods = Map.of("app.kubernetes.io/name=redis", List.of("cortex/redis-master-0"), "app=minio", List.of("cortex/minio-0"));
        java.util.function.Function<Map<String, String>, List<String>> podsOf =
                sel -> pods.getOrDefault(sel.entrySet().iterator().next().toString(), List.of());
        List<Diagnostic> ds = StrictWithoutExceptions.findings(ctx(Environment.PRODUCTION, MESH_STRICT), podsOf);
        assertEquals(1, ds.size());
        assertTrue(ds.get(0).summary().contains("2 pod(s)"), ds.get(0).summary());
        assertTrue(ds.get(0).detail().contains("cortex/redis-master-0") && ds.get(0).detail().contains("cortex/minio-0")
                && ds.get(0).detail().contains("outside the cluster"), ds.get(0).detail());
    }

    @Test
    void customProviderMustBeDeclared() {
        var authz = decl("istio.authorizationPolicy.ext", "namespace: cortex\naction: CUSTOM\nprovider: {name: auth-proxy}\nrules: [{}]\n");
        var install = decl("istio.install.mesh", "version: \"1.28\"\nmeshConfig: {extensionProviders: [{name: other}]}\n");
        var ds = CustomProviderDeclared.findings(ctx(Environment.STAGING, install, authz));
        assertEquals(1, ds.size());
        assertTrue(ds.get(0).detail().contains("declared providers: other"));
        var ok = decl("istio.install.mesh", "version: \"1.28\"\nmeshConfig: {extensionProviders: [{name: auth-proxy}]}\n");
        assertEquals(List.of(), CustomProviderDeclared.findings(ctx(Environment.STAGING, ok, authz)));
    }

    @Test
    void injectionAndRevisionOnOneNamespace() {
        var a = decl("kubernetes.labels.cortex_inject", "name: cortex\nlabels: {istio-injection: enabled}\n");
        var b = decl("kubernetes.namespace.cortex", "name: cortex\nlabels: {istio.io/rev: 1-28}\n");
        assertEquals(1, InjectionLabelAndRevision.findings(ctx(Environment.STAGING, a, b)).size());
        assertEquals(0, InjectionLabelAndRevision.findings(ctx(Environment.STAGING, a)).size());
    }

    @Test
    void addonsInProduction() {
        var install = decl("istio.install.mesh", "version: \"1.28\"\naddons: {kiali: true, prometheus: false, tracing: true}\n");
        assertEquals(2, ProductionAddons.findings(ctx(Environment.PRODUCTION, install)).size());
        assertEquals(0, ProductionAddons.findings(ctx(Environment.STAGING, install)).size());
    }

    @Test
    void unmanagedPermissivePolicyWeakensDeclaredStrict() {
        var mongo = decl("istio.peerAuthentication.mongo",
                "namespace: cortex\nname: mongo\nselector: {matchLabels: {app.kubernetes.io/name: mongodb}}\nmtls: {mode: PERMISSIVE}\n");
        var labels = decl("kubernetes.labels.cortex", "kind: Namespace\nname: cortex\nlabels: {istio-injection: enabled}\n");
        var yaml = new tools.jackson.dataformat.yaml.YAMLMapper();
        Map<String, Map<String, JsonNode>> live = Map.of("cortex", Map.of(
                "mongo", yaml.readTree("mtls: {mode: PERMISSIVE}\n"),
                "debug-open", yaml.readTree("mtls: {mode: PERMISSIVE}\n"),
                "strict-too", yaml.readTree("mtls: {mode: STRICT}\n")));
        List<Diagnostic> ds = UnmanagedWeakerMtls.findings(ctx(Environment.PRODUCTION, MESH_STRICT, mongo, labels),
                ns -> live.getOrDefault(ns, Map.of()));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().startsWith("PeerAuthentication cortex/debug-open, which the stack does not manage, "
                + "sets mTLS PERMISSIVE for the whole namespace"), ds.get(0).summary());
        assertTrue(ds.get(0).detail().contains("istio.peerAuthentication.mesh"), ds.get(0).detail());
        assertEquals(List.of(), UnmanagedWeakerMtls.findings(ctx(Environment.PRODUCTION, mongo, labels),
                ns -> live.getOrDefault(ns, Map.of())), "nothing declared STRICT, so nothing is weakened");
    }

    @Test
    void authProxyThatDropsTheRedirectIsAMeshWarning() {
        var install = decl("istio.install.mesh", "version: \"1.30\"\nextAuthz: [{name: proxy, service: p.cortex, port: 8080,"
                + " headersToDownstreamOnDeny: [set-cookie]}]\n");
        List<Diagnostic> ds = AuthProxyRisks.findings(ctx(Environment.PRODUCTION, install));
        assertEquals(1, ds.size());
        assertEquals("istio.install.mesh: auth proxy proxy: headersToDownstreamOnDeny does not pass `location` on", ds.get(0).summary());
    }

    @Test
    void aCustomPolicyWhoseSelectorMatchesNoPodIsAWarning() {
        var typo = decl("istio.authorizationPolicy.ingress", "namespace: istio-system\naction: CUSTOM\nprovider: {name: proxy}\n"
                + "selector: {matchLabels: {istio: ingress-gateway}}\nrules: [{}]\n");
        PodMatcher gateways = (ns, labels) -> java.util.Optional.of(labels.equals(Map.of("istio", "ingressgateway")));
        List<Diagnostic> ds = AuthorizationSelectsNothing.findings(ctx(Environment.PRODUCTION, typo), gateways);
        assertEquals(1, ds.size());
        assertTrue(ds.get(0).summary().contains("matches no running pod in any namespace"), ds.get(0).summary());
        assertTrue(ds.get(0).detail().contains("auth proxy"), ds.get(0).detail());

        var right = decl("istio.authorizationPolicy.ingress", "namespace: istio-system\naction: CUSTOM\nprovider: {name: proxy}\n"
                + "selector: {matchLabels: {istio: ingressgateway}}\nrules: [{}]\n");
        assertEquals(List.of(), AuthorizationSelectsNothing.findings(ctx(Environment.PRODUCTION, right), gateways));
        PodMatcher unknown = (ns, labels) -> java.util.Optional.empty();
        assertEquals(List.of(), AuthorizationSelectsNothing.findings(ctx(Environment.PRODUCTION, typo), unknown),
                "before the control plane runs nothing is judged");
        var allow = decl("istio.authorizationPolicy.allow", "namespace: cortex\naction: ALLOW\nselector: {matchLabels: {app: x}}\n");
        assertEquals(List.of(), AuthorizationSelectsNothing.findings(ctx(Environment.PRODUCTION, allow), gateways),
                "an ALLOW policy that selects nothing opens nothing");
    }
}

package io.meshform.providers.istio.checks;

import static io.meshform.providers.TestSpecs.decl;
import static io.meshform.providers.TestSpecs.stack;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

/** The mesh checks against Istio's semantics, each on a small cluster (see also IstioFixturesTest for Istio's own data). */
public class MeshChecksTest {
    public static CheckContext ctx(Environment env, ResourceDecl... decls) {
        return ctx(CheckContext.Purpose.PLAN, env, decls);
    }

    public static CheckContext ctx(CheckContext.Purpose purpose, Environment env, ResourceDecl... decls) {
        Map<ResourceAddress, JsonNode> after = new LinkedHashMap<>();
        for (ResourceDecl d : decls) {
            after.put(d.address(), d.spec());
        }
        return new CheckContext(stack(env, decls), after, Map.of(), purpose);
    }

    public static final ResourceDecl MESH_STRICT = decl("istio.peerAuthentication.mesh", "namespace: istio-system\nname: default\nmtls: {mode: STRICT}\n");
    static final Map<String, String> MONGO = Map.of("app.kubernetes.io/name", "mongodb", "app.kubernetes.io/component", "mongodb");

    @Test
    void selectorInTheRootNamespaceReadsTheRootFromTheLiveMeshConfig() {
        var inMeshRoot = decl("istio.peerAuthentication.x", "namespace: mesh-root\nselector: {matchLabels: {a: b}}\nmtls: {mode: STRICT}\n");
        var inIstioSystem = decl("istio.peerAuthentication.y", "namespace: istio-system\nselector: {matchLabels: {a: b}}\nmtls: {mode: STRICT}\n");
        FakeCluster cluster = new FakeCluster();
        cluster.mesh = "rootNamespace: mesh-root\n";
        List<Diagnostic> ds = SelectorInRootNamespace.findings(cluster.mesh(ctx(Environment.STAGING, inMeshRoot, inIstioSystem)));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().startsWith("istio.peerAuthentication.x: Istio ignores"), ds.get(0).summary());
        assertEquals(1, SelectorInRootNamespace.findings(new FakeCluster().mesh(ctx(Environment.STAGING, inIstioSystem))).size(),
                "without a mesh config the root namespace is Istio's default, istio-system");
    }

    @Test
    void aSecondMeshLevelPolicyIsAnErrorNamingTheOneIstioKeeps() {
        FakeCluster cluster = new FakeCluster().peer("istio-system", "legacy", "2024-01-01T00:00:00Z", "mtls: {mode: PERMISSIVE}");
        List<Diagnostic> ds = ConflictingPeerAuthentications.findings(cluster.mesh(ctx(Environment.PRODUCTION, MESH_STRICT)));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).isError());
        assertTrue(ds.get(0).summary().contains("Istio keeps PeerAuthentication istio-system/legacy and ignores PeerAuthentication"
                + " istio-system/default (istio.peerAuthentication.mesh)"), ds.get(0).summary());
        // The stack's own policy replacing the live one of the same name is no conflict.
        FakeCluster same = new FakeCluster().peer("istio-system", "default", "2024-01-01T00:00:00Z", "mtls: {mode: PERMISSIVE}");
        assertEquals(List.of(), ConflictingPeerAuthentications.findings(same.mesh(ctx(Environment.PRODUCTION, MESH_STRICT))));
        // Two namespace-level ones in the stack itself: validate sees it without a cluster.
        var a = decl("istio.peerAuthentication.a", "namespace: cortex\nmtls: {mode: STRICT}\n");
        var b = decl("istio.peerAuthentication.b", "namespace: cortex\nselector: {matchLabels: {}}\nmtls: {mode: PERMISSIVE}\n");
        ds = ConflictingPeerAuthentications.findings(ClusterViews.none(ctx(CheckContext.Purpose.VALIDATE, Environment.STAGING, a, b)));
        assertEquals(1, ds.size(), ds.toString());
        // Neither exists yet: which apply creates first decides (creation times are whole seconds; equal ones go by name).
        assertEquals("two namespace-level PeerAuthentications in cortex: Istio keeps the one created first (PeerAuthentication"
                + " cortex/a (istio.peerAuthentication.a) if both are created in the same second, by its smaller name) and"
                + " ignores the other (PeerAuthentication cortex/b (istio.peerAuthentication.b))", ds.get(0).summary());
    }

    @Test
    void namespaceLevelStrictIsSeenAndExceptionsMatchTheRunningPodsLabels() {
        var nsStrict = decl("istio.peerAuthentication.cortex", "namespace: cortex\nname: default\nmtls: {mode: STRICT}\n");
        FakeCluster cluster = new FakeCluster().namespace("cortex", "istio-injection", "enabled")
                .pod("cortex", "mongodb-0", MONGO, 27017);
        List<Diagnostic> ds = StrictWithoutExceptions.findings(cluster.mesh(ctx(Environment.PRODUCTION, nsStrict)));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().contains("namespace-wide STRICT mTLS from PeerAuthentication cortex/default"), ds.get(0).summary());
        assertTrue(ds.get(0).detail().contains("cortex/mongodb-0"), ds.get(0).detail());
        // A narrower selector than the guide's that still matches the pod's labels is an exception.
        var narrow = decl("istio.peerAuthentication.mongo", "namespace: cortex\nselector: {matchLabels: {app.kubernetes.io/name: mongodb,"
                + " app.kubernetes.io/component: mongodb}}\nmtls: {mode: PERMISSIVE}\n");
        assertEquals(List.of(), StrictWithoutExceptions.findings(cluster.mesh(ctx(Environment.PRODUCTION, nsStrict, narrow))));
        // One that does not match the pod is not.
        var wrong = decl("istio.peerAuthentication.mongo", "namespace: cortex\nselector: {matchLabels: {app: mongo}}\nmtls: {mode: PERMISSIVE}\n");
        assertEquals(1, StrictWithoutExceptions.findings(cluster.mesh(ctx(Environment.PRODUCTION, nsStrict, wrong))).size());
    }

    @Test
    void theOldestWorkloadPolicyWinsAndPortsAreJudgedOneByOne() {
        FakeCluster cluster = new FakeCluster().namespace("cortex", "istio-injection", "enabled")
                .pod("cortex", "mongodb-0", MONGO, 27017)
                .peer("cortex", "zz-strict-mongo", "2024-01-01T00:00:00Z",
                        "selector: {matchLabels: {app.kubernetes.io/name: mongodb}}\nmtls: {mode: STRICT}");
        var exception = decl("istio.peerAuthentication.mongo", "namespace: cortex\nselector: {matchLabels: {app.kubernetes.io/name: mongodb}}\n"
                + "mtls: {mode: PERMISSIVE}\n");
        List<Diagnostic> ds = StrictWithoutExceptions.findings(cluster.mesh(ctx(Environment.PRODUCTION, MESH_STRICT, exception)));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().contains("PeerAuthentication cortex/zz-strict-mongo"), ds.get(0).summary());
        assertTrue(ds.get(0).detail().contains("Istio keeps the oldest workload policy"), ds.get(0).detail());

        FakeCluster twoPorts = new FakeCluster().namespace("cortex", "istio-injection", "enabled")
                .pod("cortex", "mongodb-0", MONGO, 27017, 9216);
        var portOnly = decl("istio.peerAuthentication.mongo", "namespace: cortex\nselector: {matchLabels: {app.kubernetes.io/name: mongodb}}\n"
                + "portLevelMtls: {\"27017\": {mode: PERMISSIVE}}\n");
        ds = StrictWithoutExceptions.findings(twoPorts.mesh(ctx(Environment.PRODUCTION, MESH_STRICT, portOnly)));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).detail().contains("STRICT on port(s) [9216]"), ds.get(0).detail());
    }

    @Test
    void onlyPodsBehindASidecarCount() {
        var hostNet = new io.fabric8.kubernetes.api.model.PodBuilder(FakeCluster.pod("cortex", "minio-0", Map.of("app", "minio"), false, 9000))
                .editSpec().withHostNetwork(true).endSpec().build();
        FakeCluster cluster = new FakeCluster().namespace("cortex", "istio-injection", "enabled");
        cluster.pods.add(hostNet);
        cluster.pods.add(FakeCluster.pod("other", "redis-0", Map.of("app", "redis"), false, 6379));
        assertEquals(List.of(), StrictWithoutExceptions.findings(cluster.mesh(ctx(Environment.PRODUCTION, MESH_STRICT))),
                "a hostNetwork pod is never injected, and one in a namespace without injection has no sidecar");
        cluster.pods.add(FakeCluster.pod("cortex", "redis-0", Map.of("app", "redis"), false, 6379));
        assertEquals(1, StrictWithoutExceptions.findings(cluster.mesh(ctx(Environment.PRODUCTION, MESH_STRICT))).size(),
                "injection is on: the pod gets a sidecar when it restarts");
    }

    @Test
    void weakenedMtlsFollowsIstioPrecedence() {
        var labels = decl("kubernetes.labels.cortex", "kind: Namespace\nname: cortex\nlabels: {istio-injection: enabled}\n");
        FakeCluster cluster = new FakeCluster()
                .peer("istio-system", "root-selector", "2024-01-01T00:00:00Z", "selector: {matchLabels: {app: x}}\nmtls: {mode: DISABLE}")
                .peer("cortex", "debug-open", "2024-01-01T00:00:00Z", "mtls: {mode: PERMISSIVE}")
                .peer("api", "metrics-port", "2024-01-01T00:00:00Z",
                        "selector: {matchLabels: {app: api}}\nportLevelMtls: {\"9090\": {mode: DISABLE}}");
        List<Diagnostic> ds = UnmanagedWeakerMtls.findings(cluster.mesh(ctx(Environment.PRODUCTION, MESH_STRICT, labels)));
        assertEquals(2, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().startsWith("PeerAuthentication cortex/debug-open, which the stack does not manage, sets"
                + " mtls PERMISSIVE for every workload in namespace cortex"), ds.get(0).summary());
        assertTrue(ds.get(1).summary().contains("port 9090 DISABLE"), ds.get(1).summary());
        assertTrue(ds.get(0).detail().contains("istio.peerAuthentication.mesh"), ds.get(0).detail());
        assertEquals(List.of(), UnmanagedWeakerMtls.findings(cluster.mesh(ctx(Environment.PRODUCTION, labels))),
                "nothing declared STRICT, so nothing is weakened");
        // A younger unmanaged workload policy loses to the stack's older one for the pod both select.
        FakeCluster younger = new FakeCluster().pod("cortex", "api-1", Map.of("app", "api"))
                .peer("cortex", "api-strict", "2024-01-01T00:00:00Z", "selector: {matchLabels: {app: api}}\nmtls: {mode: STRICT}")
                .peer("cortex", "api-open", "2025-01-01T00:00:00Z", "selector: {matchLabels: {app: api}}\nmtls: {mode: PERMISSIVE}");
        var apiStrict = decl("istio.peerAuthentication.api", "namespace: cortex\nname: api-strict\nselector: {matchLabels: {app: api}}\n"
                + "mtls: {mode: STRICT}\n");
        assertEquals(List.of(), UnmanagedWeakerMtls.findings(younger.mesh(ctx(Environment.PRODUCTION, MESH_STRICT, apiStrict))));
    }

    @Test
    void customProvidersComeFromTheLiveMeshConfigWithoutAnInstall() {
        var authz = decl("istio.authorizationPolicy.ext", "namespace: cortex\naction: CUSTOM\nprovider: {name: auth-proxy}\nrules: [{}]\n");
        FakeCluster declared = new FakeCluster();
        declared.mesh = "extensionProviders:\n- name: auth-proxy\n  envoyExtAuthzHttp: {service: p.cortex.svc.cluster.local, port: 80}\n";
        assertEquals(List.of(), CustomProviderDeclared.findings(declared.mesh(ctx(Environment.STAGING, authz))));
        FakeCluster other = new FakeCluster();
        other.mesh = "extensionProviders:\n- name: other\n  envoyExtAuthzHttp: {service: p.cortex.svc.cluster.local, port: 80}\n";
        List<Diagnostic> ds = CustomProviderDeclared.findings(other.mesh(ctx(Environment.STAGING, authz)));
        assertEquals(1, ds.size());
        assertTrue(ds.get(0).detail().contains("Declared ext_authz providers: other") && ds.get(0).detail().contains("403"), ds.get(0).detail());
        FakeCluster bad = new FakeCluster();
        bad.mesh = "extensionProviders:\n- name: auth-proxy\n  envoyExtAuthzHttp: {service: p.cortex.svc.cluster.local, port: 80,"
                + " pathPrefix: check}\n";
        ds = CustomProviderDeclared.findings(bad.mesh(ctx(Environment.STAGING, authz)));
        assertEquals(1, ds.size());
        assertTrue(ds.get(0).detail().contains("pathPrefix must begin with `/`"), ds.get(0).detail());
        assertEquals(List.of(), CustomProviderDeclared.findings(new FakeCluster().mesh(ctx(Environment.STAGING, authz))),
                "no stack install and no live mesh config: the providers are unknown, nothing is said");
        var install = decl("istio.install.mesh", "version: \"1.30\"\nmeshConfig: {extensionProviders: [{name: other}]}\n");
        assertEquals(1, CustomProviderDeclared.findings(declared.mesh(ctx(Environment.STAGING, install, authz))).size(),
                "the stack's install is the mesh config a plan applies");
    }

    @Test
    void authProxyRisksAreFailOpenAndTheMissingTimeoutNotTheRedirect() {
        var noTimeout = decl("istio.install.mesh", "version: \"1.30\"\nextAuthz: [{name: proxy, service: p.cortex.svc.cluster.local,"
                + " port: 8080, headersToDownstreamOnDeny: [set-cookie]}]\n");
        List<Diagnostic> ds = AuthProxyRisks.findings(new FakeCluster().mesh(ctx(Environment.PRODUCTION, noTimeout)));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().contains("no timeout on the ext_authz call, so Istio's default of 600s applies"), ds.get(0).summary());
        var safe = decl("istio.install.mesh", "version: \"1.30\"\nextAuthz: [{name: proxy, service: p.cortex.svc.cluster.local,"
                + " port: 8080, timeout: 5s, headersToDownstreamOnDeny: [set-cookie]}]\n");
        assertEquals(List.of(), AuthProxyRisks.findings(new FakeCluster().mesh(ctx(Environment.PRODUCTION, safe))),
                "a deny list without location still passes Location: Envoy adds it");
        var open = decl("istio.install.mesh", "version: \"1.30\"\nextAuthz: [{name: proxy, service: p.cortex.svc.cluster.local,"
                + " port: 8080, timeout: 5s, failOpen: true}]\n");
        assertEquals(1, AuthProxyRisks.findings(new FakeCluster().mesh(ctx(Environment.PRODUCTION, open))).size());
    }

    @Test
    void anAuthProxyThatNoCustomPolicyUsesIsUnauthenticatedIngress() {
        var install = decl("istio.install.mesh", "version: \"1.30\"\nextAuthz: [{name: proxy, service: p.cortex.svc.cluster.local,"
                + " port: 8080, timeout: 5s}]\n");
        var authz = decl("istio.authorizationPolicy.ingress-auth", "namespace: istio-system\naction: CUSTOM\nprovider: {name: proxy}\n"
                + "rules: [{}]\n");
        List<Diagnostic> ds = IngressAuthUnused.findings(new FakeCluster().mesh(ctx(Environment.PRODUCTION, install)));
        assertEquals(1, ds.size(), ds.toString());
        assertEquals(io.meshform.engine.diag.Severity.WARNING, ds.get(0).severity(), ds.toString());
        assertEquals("istio.install.mesh: ingress is not authenticated: no CUSTOM policy sends requests to provider proxy",
                ds.get(0).summary());
        assertEquals(List.of(), IngressAuthUnused.findings(new FakeCluster().mesh(ctx(Environment.PRODUCTION, install, authz))));
        FakeCluster live = new FakeCluster().authorizationPolicy("istio-system", "other-auth",
                "action: CUSTOM\nprovider: {name: proxy}\nrules: [{}]\n");
        assertEquals(List.of(), IngressAuthUnused.findings(live.mesh(ctx(Environment.PRODUCTION, install))),
                "a live CUSTOM policy outside the stack uses the provider");
        // The plan removes the only CUSTOM policy (its block was deleted from the stack): flagged.
        FakeCluster applied = new FakeCluster().authorizationPolicy("istio-system", "ingress-auth",
                "action: CUSTOM\nprovider: {name: proxy}\nrules: [{}]\n");
        var removing = new CheckContext(stack(Environment.PRODUCTION, install), Map.of(install.address(), install.spec()),
                Map.of(authz.address(), authz.spec()), CheckContext.Purpose.PLAN);
        assertEquals(1, IngressAuthUnused.findings(applied.mesh(removing)).size());
        // Drift with the policy gone from the cluster and the state.
        assertEquals(1, IngressAuthUnused.findings(new FakeCluster().mesh(ctx(CheckContext.Purpose.DRIFT, Environment.PRODUCTION,
                install))).size());
        FakeCluster dryLive = new FakeCluster().authorizationPolicy("istio-system", "dry", "action: CUSTOM\nprovider: {name: proxy}\n");
        ((tools.jackson.databind.node.ObjectNode) dryLive.authorizationPolicies.get(0).get("metadata")).putObject("annotations").put("istio.io/dry-run", "true");
        ds = IngressAuthUnused.findings(dryLive.mesh(ctx(Environment.PRODUCTION, install)));
        assertEquals(1, ds.size(), "a dry-run CUSTOM policy sends nothing to the proxy");
        assertTrue(ds.get(0).detail().contains("dry-run"), ds.get(0).detail());
        FakeCluster unread = new FakeCluster();
        unread.unread.put(IngressAuthUnused.AUTHORIZATION_POLICIES, "forbidden (HTTP 403)");
        assertEquals(List.of(), IngressAuthUnused.findings(unread.mesh(ctx(Environment.PRODUCTION, install))),
                "the live policies could not be read: nothing is known");
        assertEquals(List.of(), IngressAuthUnused.findings(ClusterViews.none(ctx(CheckContext.Purpose.VALIDATE,
                Environment.PRODUCTION, install))), "validate does not see the live policies");
        assertEquals(List.of(), IngressAuthUnused.findings(new FakeCluster().mesh(ctx(Environment.PRODUCTION,
                decl("istio.install.mesh", "version: \"1.30\"\n")))), "no auth proxy declared");
    }

    @Test
    void analyzeThatDidNotRunIsAWarningInDriftToo() {
        var istioctl = new io.meshform.providers.istio.core.Istioctl("/nonexistent/istioctl", "test", null, null);
        for (CheckContext.Purpose purpose : List.of(CheckContext.Purpose.PLAN, CheckContext.Purpose.DRIFT)) {
            List<Diagnostic> ds = IstioAnalysis.findings(new FakeCluster().mesh(ctx(purpose, Environment.PRODUCTION, MESH_STRICT)),
                    istioctl);
            assertEquals(1, ds.size(), ds.toString());
            assertTrue(ds.get(0).summary().startsWith("istioctl analyze did not run: "), ds.get(0).summary());
            assertEquals(io.meshform.engine.diag.Severity.WARNING, ds.get(0).severity(),
                    purpose + ": a check that did not run is not a note (drift's --no-analyze note says it was skipped on purpose)");
        }
    }

    @Test
    void theAuthProxyServiceAndPortMustExist() {
        var install = decl("istio.install.mesh", "version: \"1.30\"\nextAuthz: [{name: proxy, service: auth.cortex.svc.cluster.local,"
                + " port: 8080, timeout: 5s}]\n");
        var authz = decl("istio.authorizationPolicy.ext", "namespace: istio-system\naction: CUSTOM\nprovider: {name: proxy}\nrules: [{}]\n");
        List<Diagnostic> ds = ExtAuthzServiceExists.findings(new FakeCluster().mesh(ctx(Environment.PRODUCTION, install, authz)));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().contains("Service cortex/auth does not exist"), ds.get(0).summary());
        ds = ExtAuthzServiceExists.findings(new FakeCluster().service("cortex", "auth", 80).mesh(ctx(Environment.PRODUCTION, install, authz)));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().contains("has no port 8080 (it has [80])"), ds.get(0).summary());
        assertEquals(List.of(), ExtAuthzServiceExists.findings(new FakeCluster().service("cortex", "auth", 8080)
                .mesh(ctx(Environment.PRODUCTION, install, authz))));
        var svc = decl("kubernetes.manifest.auth", "manifest: {apiVersion: v1, kind: Service, metadata: {name: auth, namespace: cortex},"
                + " spec: {ports: [{port: 8080}]}}\n");
        assertEquals(List.of(), ExtAuthzServiceExists.findings(new FakeCluster().mesh(ctx(Environment.PRODUCTION, install, authz, svc))),
                "a Service the stack applies counts");
    }

    /** istiod's LookupCluster: namespace/host only among the Services registered in that namespace; a short name never. */
    @Test
    void theAuthProxyServiceIsLookedUpAsIstiodLooksItUp() {
        var authz = decl("istio.authorizationPolicy.ext", "namespace: istio-system\naction: CUSTOM\nprovider: {name: proxy}\nrules: [{}]\n");
        FakeCluster cluster = new FakeCluster().service("cortex", "auth", 8080);
        java.util.function.Function<String, List<Diagnostic>> with = service -> ExtAuthzServiceExists.findings(cluster.mesh(
                ctx(Environment.PRODUCTION, decl("istio.install.mesh", "version: \"1.30\"\nextAuthz: [{name: proxy, service: "
                        + service + ", port: 8080, timeout: 5s}]\n"), authz)));
        assertEquals(List.of(), with.apply("cortex/auth.cortex.svc.cluster.local"));
        assertEquals(List.of(), with.apply("auth.cortex.svc.cluster.local"));
        for (String elsewhere : List.of("other/auth.cortex.svc.cluster.local", "\"*/auth.cortex.svc.cluster.local\"")) {
            List<Diagnostic> ds = with.apply(elsewhere);
            assertEquals(1, ds.size(), elsewhere + ": " + ds);
            assertTrue(ds.get(0).summary().contains("but the Service of auth.cortex.svc.cluster.local is in cortex"), ds.get(0).summary());
        }
        List<Diagnostic> ds = with.apply("auth");
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().contains("is a short name, which matches no Kubernetes Service"), ds.get(0).summary());
        // Istio's validation accepts a trailing dot, LookupCluster then finds nothing: the CUSTOM rules become DENY rules
        for (String dotted : List.of("auth.cortex.svc.cluster.local.", "cortex/auth.cortex.svc.cluster.local.")) {
            ds = with.apply(dotted);
            assertEquals(1, ds.size(), dotted + ": " + ds);
            assertTrue(ds.get(0).summary().contains("ends with a dot, which no Kubernetes Service's host name does"),
                    ds.get(0).summary());
        }
    }

    @Test
    void injectionLabelsFollowIst0123() {
        var enabled = decl("kubernetes.labels.cortex_inject", "name: cortex\nlabels: {istio-injection: enabled}\n");
        var disabled = decl("kubernetes.labels.cortex_inject", "name: cortex\nlabels: {istio-injection: disabled}\n");
        FakeCluster revLive = new FakeCluster().namespace("cortex", "istio.io/rev", "1-30");
        assertEquals(1, InjectionLabelAndRevision.findings(revLive.mesh(ctx(Environment.STAGING, enabled))).size(),
                "the live revision label counts");
        assertEquals(List.of(), InjectionLabelAndRevision.findings(revLive.mesh(ctx(Environment.STAGING, disabled))),
                "istio-injection=disabled with a revision is a deliberate opt-out (Istio's not-conflict-ns-2)");
        FakeCluster ambient = new FakeCluster().namespace("cortex", "istio.io/dataplane-mode", "ambient");
        List<Diagnostic> ds = InjectionLabelAndRevision.findings(ambient.mesh(ctx(Environment.STAGING, enabled)));
        assertEquals(1, ds.size());
        assertTrue(ds.get(0).summary().contains("istio.io/dataplane-mode=ambient"), ds.get(0).summary());
        assertEquals(List.of(), InjectionLabelAndRevision.findings(ambient.mesh(ctx(Environment.STAGING, disabled))));
    }

    /**
     * `istioctl analyze -A` (1.30.3) on a cluster whose istio-system and cortex both carry istio-injection=enabled and
     * istio.io/rev=canary reports IST0123 for cortex only: the analyzer skips istio-system by name (injection.go).
     */
    @Test
    void ist0123IsNotClaimedForIstioSystem() {
        var labels = decl("kubernetes.labels.system_inject", "name: istio-system\nlabels: {istio-injection: enabled}\n");
        FakeCluster live = new FakeCluster().namespace("istio-system", "istio.io/rev", "canary");
        List<Diagnostic> ds = InjectionLabelAndRevision.findings(live.mesh(ctx(Environment.STAGING, labels)));
        assertEquals(1, ds.size(), "the webhooks still read istio-system's labels");
        assertFalse(ds.get(0).summary().contains("Istio's analyzer reports IST0123"), ds.get(0).summary());
        assertTrue(ds.get(0).summary().contains("istioctl analyze reports no IST0123 here, as it skips istio-system"),
                ds.get(0).summary());
    }

    /**
     * Which injector serves istio-injection=enabled, from the webhooks istioctl 1.30.3 writes: {@code istioctl install
     * --set revision=r1} then {@code istioctl tag set default --revision r1} (istio-sidecar-injector-r1 and
     * istio-revision-tag-default, labelled istio.io/rev=r1 and istio.io/tag=default).
     */
    @Test
    void ist0123NamesTheInjectorTheDefaultTagPointsAt() {
        var enabled = decl("kubernetes.labels.cortex_inject", "name: cortex\nlabels: {istio-injection: enabled}\n");
        FakeCluster tagged = new FakeCluster().namespace("cortex", "istio.io/rev", "r1")
                .webhooks(List.of(Map.of("istio.io/rev", "r1"), Map.of("istio.io/rev", "r1", "istio.io/tag", "default")));
        List<Diagnostic> ds = InjectionLabelAndRevision.findings(tagged.mesh(ctx(Environment.STAGING, enabled)));
        assertEquals(1, ds.size());
        assertTrue(ds.get(0).detail().contains("revision r1's injector injects (the `default` revision tag points at it)"),
                ds.get(0).detail());
        assertFalse(ds.get(0).detail().contains("the default revision's injector"), ds.get(0).detail());
        FakeCluster plain = new FakeCluster().namespace("cortex", "istio.io/rev", "r1")
                .webhooks(List.of(Map.of("istio.io/rev", "default"), Map.of("istio.io/rev", "default", "istio.io/tag", "default"),
                        Map.of("istio.io/rev", "r1")));
        ds = InjectionLabelAndRevision.findings(plain.mesh(ctx(Environment.STAGING, enabled)));
        assertTrue(ds.get(0).detail().contains("the default revision's injector injects"), ds.get(0).detail());
        FakeCluster noDefault = new FakeCluster().namespace("cortex", "istio.io/rev", "r1")
                .webhooks(List.of(Map.of("istio.io/rev", "r1")));
        ds = InjectionLabelAndRevision.findings(noDefault.mesh(ctx(Environment.STAGING, enabled)));
        assertTrue(ds.get(0).detail().contains("no installed injector answers to it (installed: revision r1)"), ds.get(0).detail());
    }

    /**
     * A label a declared namespace drops is gone after apply when only that resource's field manager owned it (server-side
     * apply removes it), and stays when another manager owns it too; a destroyed kubernetes.labels takes its labels along.
     */
    @Test
    void namespaceLabelsFollowWhatApplyRemoves() {
        var ns = decl("kubernetes.namespace.cortex", "name: cortex\nlabels: {team: pay}\n");
        FakeCluster c = new FakeCluster().namespace("cortex", "istio-injection", "enabled", "team", "pay", "owner", "ops")
                .labelOwners("cortex", "istio-injection", "meshform/kubernetes.namespace.cortex")
                .labelOwners("cortex", "team", "meshform/kubernetes.namespace.cortex")
                .labelOwners("cortex", "owner", "meshform/kubernetes.namespace.cortex", "kubectl-label");
        assertEquals(Map.of("team", "pay", "owner", "ops"), c.mesh(ctx(Environment.STAGING, ns)).namespaceLabels().get("cortex"),
                "istio-injection, dropped from the file, is removed; owner, also set by kubectl label, stays");
        FakeCluster labelled = new FakeCluster().namespace("tools", "istio-injection", "enabled")
                .labelOwners("tools", "istio-injection", "meshform/kubernetes.labels.tools_inject");
        var removed = new CheckContext(stack(Environment.STAGING), Map.of(), Map.of(ResourceAddress.parse("kubernetes.labels.tools_inject"),
                decl("kubernetes.labels.tools_inject", "name: tools\nlabels: {istio-injection: enabled}\n").spec()),
                CheckContext.Purpose.PLAN);
        assertEquals(Map.of(), labelled.mesh(removed).namespaceLabels().get("tools"));
    }

    /**
     * With enableNamespacesByDefault (the auto webhook), the mTLS preview gives a restarted pod of an unlabelled
     * namespace a sidecar; kube-system stays out, as the webhook's namespaceSelector says.
     */
    @Test
    void theMtlsPreviewInjectsUnlabelledNamespacesWhenTheInstallEnablesThemByDefault() {
        FakeCluster c = new FakeCluster().namespace("tools", "kubernetes.io/metadata.name", "tools")
                .webhooks(List.of(Map.of("istio.io/rev", "default")));
        c.pods.add(FakeCluster.pod("tools", "curl", Map.of("app", "curl"), false));
        var ns = decl("kubernetes.namespace.tools", "name: tools\n");
        var install = decl("istio.install.mesh", "version: \"1.30\"\nvalues: {sidecarInjectorWebhook: {enableNamespacesByDefault: true}}\n");
        var plain = decl("istio.install.mesh", "version: \"1.30\"\n");
        assertTrue(MeshInventory.planned(c.mesh(ctx(Environment.STAGING, ns, install))).pods().get(0).sidecar(),
                "the auto webhook injects the restarted pod");
        assertFalse(MeshInventory.planned(c.mesh(ctx(Environment.STAGING, ns, plain))).pods().get(0).sidecar());
    }

    @Test
    void addonsInProduction() {
        var install = decl("istio.install.mesh", "version: \"1.28\"\naddons: {kiali: true, prometheus: false, tracing: true}\n");
        assertEquals(2, ProductionAddons.findings(ctx(Environment.PRODUCTION, install)).size());
        assertEquals(0, ProductionAddons.findings(ctx(Environment.STAGING, install)).size());
    }

    @Test
    void aCustomPolicyWhoseSelectorMatchesNoPodIsAWarning() {
        var typo = decl("istio.authorizationPolicy.ingress", "namespace: istio-system\naction: CUSTOM\nprovider: {name: proxy}\n"
                + "selector: {matchLabels: {istio: ingress-gateway}}\nrules: [{}]\n");
        FakeCluster gateways = new FakeCluster().pod("istio-system", "gw", Map.of("istio", "ingressgateway"));
        List<Diagnostic> ds = AuthorizationSelectsNothing.findings(gateways.mesh(ctx(Environment.PRODUCTION, typo)));
        assertEquals(1, ds.size());
        assertTrue(ds.get(0).summary().contains("matches no running pod in the mesh in any namespace"), ds.get(0).summary());
        var right = decl("istio.authorizationPolicy.ingress", "namespace: istio-system\naction: CUSTOM\nprovider: {name: proxy}\n"
                + "selector: {matchLabels: {istio: ingressgateway}}\nrules: [{}]\n");
        assertEquals(List.of(), AuthorizationSelectsNothing.findings(gateways.mesh(ctx(Environment.PRODUCTION, right))));
        FakeCluster noIstio = new FakeCluster();
        noIstio.controlPlane = false;
        assertEquals(List.of(), AuthorizationSelectsNothing.findings(noIstio.mesh(ctx(Environment.PRODUCTION, typo))),
                "before the control plane runs nothing is judged");
    }
    /** A dry-run AuthorizationPolicy as a kubernetes.manifest (istio.authorizationPolicy sets no annotations). */
    static ResourceDecl dryRunPolicy(String name, String spec) {
        return decl("kubernetes.manifest." + name, "manifest:\n  apiVersion: security.istio.io/v1\n  kind: AuthorizationPolicy\n"
                + "  metadata: {namespace: istio-system, name: " + name + ", annotations: {istio.io/dry-run: \"true\"}}\n"
                + "  spec: " + spec + "\n");
    }

    @Test
    void aDryRunCustomPolicySendsNothingToTheAuthProxyAndLosesItsRulesWithABadProvider() {
        var install = decl("istio.install.mesh", "version: \"1.30\"\nextAuthz: [{name: proxy, service: auth.cortex.svc.cluster.local,"
                + " port: 8080, failOpen: true}]\n");
        var custom = dryRunPolicy("trial", "{action: CUSTOM, provider: {name: proxy}, rules: [{}]}");
        assertEquals(List.of(), ExtAuthzServiceExists.findings(new FakeCluster().mesh(ctx(Environment.PRODUCTION, install, custom))),
                "its rules deny before ext_authz, and a refused provider drops them");
        FakeCluster live = new FakeCluster();
        live.mesh = "extensionProviders:\n- name: proxy\n  envoyExtAuthzHttp: {service: p.cortex.svc.cluster.local, port: 80,"
                + " failOpen: true}\n";
        assertEquals(List.of(), AuthProxyRisks.findings(live.mesh(ctx(Environment.PRODUCTION, custom))));
        live.mesh = "extensionProviders:\n- name: other\n  envoyExtAuthzHttp: {service: p.cortex.svc.cluster.local, port: 80}\n";
        List<Diagnostic> ds = CustomProviderDeclared.findings(live.mesh(ctx(Environment.STAGING, custom)));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).detail().contains("The policy is dry-run (istio.io/dry-run), and istiod leaves dry-run rules out of those"
                + " DENY rules: for now the policy does nothing"), ds.get(0).detail());
    }

    @Test
    void aDryRunDenyPolicyThatSelectsNothingLogsNothing() {
        var deny = dryRunPolicy("trial", "{action: DENY, selector: {matchLabels: {istio: ingress-gateway}}, rules: [{}]}");
        FakeCluster gateways = new FakeCluster().pod("istio-system", "gw", Map.of("istio", "ingressgateway"));
        List<Diagnostic> ds = AuthorizationSelectsNothing.findings(gateways.mesh(ctx(Environment.PRODUCTION, deny)));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).detail().startsWith("nothing is logged (the policy is dry-run, istio.io/dry-run)"), ds.get(0).detail());
    }
}

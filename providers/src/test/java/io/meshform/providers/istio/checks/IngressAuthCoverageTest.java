package io.meshform.providers.istio.checks;

import static io.meshform.providers.TestSpecs.decl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.Severity;
import io.meshform.engine.model.Environment;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ingress-auth-coverage check on stacks alone (what validate sees). */
class IngressAuthCoverageTest {
    static final ResourceDecl INSTALL = decl("istio.install.mesh", "version: \"1.30\"\nmeshConfig: {extensionProviders: [{name: auth,"
            + " envoyExtAuthzHttp: {service: auth.cortex.svc.cluster.local, port: 8080}}]}\n");

    static List<Diagnostic> run(ResourceDecl... decls) {
        return IngressAuthCoverage.findings(new PlannedMesh(MeshChecksTest.ctx(CheckContext.Purpose.VALIDATE, Environment.STAGING, decls),
                ClusterView.EMPTY));
    }

    @Test
    void protectedPrefixesShowTheBypassesInOneNoteAndWarnForEach() {
        var policy = decl("istio.authorizationPolicy.ingress", "namespace: istio-system\nselector: {matchLabels: {istio: ingressgateway}}\n"
                + "action: CUSTOM\nprovider: {name: auth}\nrules: [{to: [{operation: {paths: [\"/fabric/*\", \"/api/*\"]}}]}]\n");
        List<Diagnostic> ds = run(INSTALL, policy);
        Diagnostic note = ds.get(0);
        assertEquals(Severity.INFO, note.severity());
        assertEquals("ingress coverage of istio-system/istio=ingressgateway: the gateway pods are not known, so no gateway is known to be covered; a gateway labelled as its selector says: 24 paths checked, 10 would be let"
                + " through without the auth proxy: /fabric, //fabric/x, /fabric%2Fx, /fabric%5Cx, /FABRIC/x, /api, //api/x, /api%2Fx, /api%5Cx, /API/x",
                note.summary());
        assertTrue(note.detail().contains("pathNormalization BASE"), note.detail());
        List<Diagnostic> warnings = ds.stream().filter(d -> d.severity() == Severity.WARNING).toList();
        assertEquals(10, warnings.size());
        assertTrue(warnings.get(0).summary().contains("`GET example.com /fabric` would be let through without the auth proxy on a gateway labelled as"), warnings.get(0).summary());
    }

    @Test
    void publicPathsExemptUnderMergeSlashesPassAndExpectationsAreChecked() {
        var install = install("MERGE_SLASHES");
        var policy = ingress("[\"/api/health\"]", "public: [\"/api/health\", \"/login\"], protected: [\"/api/*\"]");
        List<Diagnostic> ds = run(install, policy);
        List<Diagnostic> warnings = ds.stream().filter(d -> d.severity() == Severity.WARNING).toList();
        assertEquals(1, warnings.size(), ds.toString());
        assertTrue(warnings.get(0).summary().contains("public path `GET example.com /login` would go to the auth proxy"), warnings.get(0).summary());
        assertTrue(ds.get(0).summary().contains("0 would be let through without the auth proxy; 1 public path(s) would not be"
                + " let through: /login"),
                ds.get(0).summary());
    }

    /** A public prefix under MERGE_SLASHES: only the ..; climb is let through, and its warning says no mode helps. */
    @Test
    void aPathParameterClimbOutOfAPublicPrefixIsWarnedWithTheFixThatHolds() {
        var install = install("MERGE_SLASHES");
        var policy = ingress("[\"/public/*\"]", "protected: [\"/api/*\"]");
        List<Diagnostic> ds = run(install, policy);
        assertTrue(ds.get(0).summary().endsWith("2 would be let through without the auth proxy: /public/..;/app/x,"
                + " /public/..;/api/x"), ds.get(0).summary());
        List<Diagnostic> warnings = ds.stream().filter(d -> d.severity() == Severity.WARNING).toList();
        assertEquals(2, warnings.size(), ds.toString());
        Diagnostic api = warnings.get(1);
        assertTrue(api.summary().contains("`GET example.com /public/..;/api/x` would be let through without the auth proxy")
                && api.summary().contains("by a ..; segment (Tomcat reads it as ..)"), api.summary());
        assertTrue(api.detail().contains("No pathNormalization removes a ;-parameter")
                && api.detail().contains("climbs out of the public prefix")
                && api.detail().contains("Exempt the exact public paths in notPaths instead of a prefix")
                && !api.detail().contains("choose a pathNormalization"), api.detail());
    }

    /** A public suffix: /api/x;.css is let through in every mode, and its warning says no mode helps either. */
    @Test
    void aPathParameterEndingInAPublicSuffixIsWarnedWithTheFixThatHolds() {
        var install = install("DECODE_AND_MERGE_SLASHES");
        var policy = ingress("[\"*.css\"]", "protected: [\"/api/*\"]");
        Diagnostic api = run(install, policy).stream().filter(d -> d.severity() == Severity.WARNING
                && d.summary().contains("/api/x;.css")).findFirst().orElseThrow();
        assertTrue(api.detail().contains("No pathNormalization removes a ;-parameter")
                && api.detail().contains("serves the protected path before it")
                && api.detail().contains("instead of a pattern") && !api.detail().contains("choose a pathNormalization"), api.detail());
    }

    /** An install whose mesh config has this pathNormalization and the auth proxy as extension provider {@code auth}. */
    private static ResourceDecl install(String normalization) {
        return decl("istio.install.mesh", "version: \"1.30\"\nmeshConfig: {pathNormalization: {normalization: " + normalization
                + "}, extensionProviders: [{name: auth, envoyExtAuthzHttp: {service: auth.cortex.svc.cluster.local, port: 8080}}]}\n");
    }

    /** The ingress gateway's CUSTOM policy exempting {@code notPaths} (a YAML list), with this coverage block's body. */
    private static ResourceDecl ingress(String notPaths, String coverage) {
        return decl("istio.authorizationPolicy.ingress", "namespace: istio-system\nselector: {matchLabels: {istio: ingressgateway}}\n"
                + "action: CUSTOM\nprovider: {name: auth}\nrules: [{to: [{operation: {notPaths: " + notPaths + "}}]}]\n"
                + "coverage: {" + coverage + "}\n");
    }

    /** A cluster holding only these AuthorizationPolicies (YAML objects). */
    static ClusterView liveAuthz(String... yaml) {
        List<tools.jackson.databind.JsonNode> objects = java.util.Arrays.stream(yaml)
                .map(y -> (tools.jackson.databind.JsonNode) tools.jackson.dataformat.yaml.YAMLMapper.builder().build().readTree(y)).toList();
        return (ClusterView) java.lang.reflect.Proxy.newProxyInstance(ClusterView.class.getClassLoader(), new Class<?>[] {ClusterView.class},
                (proxy, method, args) -> method.getName().equals("authorizationPolicies") ? objects : method.invoke(ClusterView.EMPTY, args));
    }

    @Test
    void aPlanCountsTheLiveUnmanagedPoliciesOnTheGateway() {
        var policy = decl("istio.authorizationPolicy.ingress", "namespace: istio-system\nname: ingress\nselector: {matchLabels: {istio: ingressgateway}}\n"
                + "action: CUSTOM\nprovider: {name: auth}\nrules: [{to: [{operation: {notPaths: [\"/api/health\"]}}]}]\n");
        String unmanaged = "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {namespace: istio-system, name: other-proxy}\n"
                + "spec: {selector: {matchLabels: {istio: ingressgateway}}, action: CUSTOM, provider: {name: other},"
                + " rules: [{to: [{operation: {paths: [\"/other\"]}}]}]}\n";
        var ctx = MeshChecksTest.ctx(CheckContext.Purpose.PLAN, Environment.STAGING, INSTALL, policy);
        List<Diagnostic> ds = IngressAuthCoverage.findings(new PlannedMesh(ctx, liveAuthz(unmanaged)));
        assertTrue(ds.get(0).detail().contains("denied (403)"), "a second provider on the gateway: istiod makes every CUSTOM rule deny: " + ds.get(0).detail());
        var validate = MeshChecksTest.ctx(CheckContext.Purpose.VALIDATE, Environment.STAGING, INSTALL, policy);
        assertTrue(!IngressAuthCoverage.findings(new PlannedMesh(validate, liveAuthz(unmanaged))).get(0).detail().contains("denied"),
                "validate reads no cluster");
    }

    @Test
    void validateWithoutAnInstallSaysItDidNotReadTheClustersMeshConfig() {
        var policy = decl("istio.authorizationPolicy.ingress", "namespace: istio-system\nselector: {matchLabels: {istio: ingressgateway}}\n"
                + "action: CUSTOM\nprovider: {name: auth}\nrules: [{to: [{operation: {paths: [\"/api/*\"]}}]}]\n");
        String detail = run(policy).get(0).detail();
        assertTrue(detail.contains("validate does not read the cluster's istio-system/istio ConfigMap; plan does"), detail);
        assertTrue(!detail.contains("the cluster has no"), "validate contacted no cluster, so it cannot say what the cluster has: " + detail);
    }

    @Test
    void aPolicyOnAnotherWorkloadOrNoCustomPolicyIsNotJudged() {
        var deny = decl("istio.authorizationPolicy.deny", "namespace: istio-system\naction: DENY\nrules: [{to: [{operation: {paths: [\"/x\"]}}]}]\n");
        assertEquals(List.of(), run(INSTALL, deny));
    }
    @Test
    void aDryRunDenyManifestOnAProtectedPathIsABypass() {
        var policy = decl("istio.authorizationPolicy.ingress", "namespace: istio-system\nselector: {matchLabels: {istio: ingressgateway}}\n"
                + "action: CUSTOM\nprovider: {name: auth}\nrules: [{to: [{operation: {paths: [\"/api/*\"]}}]}]\n"
                + "coverage: {protected: [\"/admin/*\"]}\n");
        var deny = decl("kubernetes.manifest.deny_admin", "manifest:\n  apiVersion: security.istio.io/v1\n  kind: AuthorizationPolicy\n"
                + "  metadata: {namespace: istio-system, name: deny-admin, annotations: {istio.io/dry-run: \"true\"}}\n"
                + "  spec: {action: DENY, rules: [{to: [{operation: {paths: [\"/admin/*\"]}}]}]}\n");
        List<Diagnostic> ds = run(INSTALL, policy, deny);
        var admin = ds.stream().filter(d -> d.severity() == Severity.WARNING && d.summary().contains("`GET example.com /admin/x`")).toList();
        assertEquals(1, admin.size(), ds.toString());
        assertTrue(admin.get(0).summary().contains("would be let through without the auth proxy"), admin.get(0).summary());
        assertTrue(admin.get(0).detail().contains("the policy is dry-run, so it is only logged"), admin.get(0).detail());
    }

    /** Audit A, M3: a header a client sends skips the auth proxy, with no coverage: block to catch it. */
    @Test
    void aClientControlledConditionOnTheCustomRuleIsABypassAndAWarning() {
        var policy = decl("istio.authorizationPolicy.ingress", "namespace: istio-system\nselector: {matchLabels: {istio: ingressgateway}}\n"
                + "action: CUSTOM\nprovider: {name: auth}\nrules: [{to: [{operation: {notPaths: [\"/api/health\"]}}],"
                + " when: [{key: \"request.headers[x-skip-auth]\", notValues: [\"yes\"]}]}]\n");
        List<Diagnostic> ds = run(INSTALL, policy);
        assertTrue(ds.get(0).summary().matches("ingress coverage of istio-system/istio=ingressgateway: the gateway pods are not known, so no gateway is known to be covered; a gateway labelled as its selector says: [1-9]\\d* paths checked, [1-9]\\d*"
                + " would be let through without the auth proxy: .*"), ds.get(0).summary());
        List<Diagnostic> warnings = ds.stream().filter(d -> d.severity() == Severity.WARNING).toList();
        var condition = warnings.stream().filter(d -> d.summary().contains("which a client controls")).toList();
        assertEquals(1, condition.size(), ds.toString());
        assertEquals("ingress coverage: CUSTOM rule 0 of istio-system/ingress on the pods istio-system/istio=ingressgateway selects"
                + " depends on when request.headers[x-skip-auth], which a client controls: a request where header x-skip-auth is yes is let"
                + " through without the auth proxy", condition.get(0).summary());
        assertTrue(condition.get(0).detail().contains("extauthz.go"), condition.get(0).detail());
        var bypass = warnings.stream().filter(d -> d.summary().contains("`GET example.com /app/x` would be let through")).toList();
        assertEquals(1, bypass.size(), ds.toString());
        assertTrue(bypass.get(0).summary().contains("when rule 0's when/from does not hold: header x-skip-auth is yes"), bypass.get(0).summary());
    }

    @Test
    void aConditionAClientCannotChooseIsCheckedButNotFlaggedAsClientControlled() {
        var policy = decl("istio.authorizationPolicy.ingress", "namespace: istio-system\nselector: {matchLabels: {istio: ingressgateway}}\n"
                + "action: CUSTOM\nprovider: {name: auth}\nrules: [{to: [{operation: {paths: [\"/admin/*\"]}}],"
                + " from: [{source: {notIpBlocks: [\"10.0.0.0/8\"]}}], when: [{key: destination.port, values: [\"8080\"]}]},"
                + " {to: [{operation: {notPaths: [\"/api/health\"]}}]}]\n");
        List<Diagnostic> ds = run(INSTALL, policy);
        assertEquals(List.of(), ds.stream().filter(d -> d.severity() != Severity.INFO).toList());
        assertTrue(ds.get(0).detail().contains("when rule 0's when/from does not hold: destination.port is not 8080 or the source IP is"
                + " 10.0.0.0/8"), ds.get(0).detail());
    }

    @Test
    void aCustomPolicyWithNothingToCheckIsAWarning() {
        var policy = decl("istio.authorizationPolicy.ingress", "namespace: istio-system\nselector: {matchLabels: {istio: ingressgateway}}\n"
                + "action: CUSTOM\nprovider: {name: auth}\n");
        List<Diagnostic> ds = run(INSTALL, policy);
        assertEquals(1, ds.size(), ds.toString());
        assertEquals(Severity.WARNING, ds.get(0).severity());
        assertTrue(ds.get(0).summary().startsWith("ingress coverage of istio-system/istio=ingressgateway: the gateway pods are not known, so no gateway is known to be covered; a gateway labelled as its selector says: 0 paths checked"), ds.get(0).summary());
    }

    /**
     * A path or host a sensitive variable gives is judged, and no form of it the table writes is shown: the bare
     * prefix, the sample, the encoded and the upper-case variants were printed in clear (validate, plan, drift).
     */
    @Test
    void theFormsOfASensitivePathOrHostAreMaskedInEveryLine() {
        var spec = io.meshform.providers.TestSpecs.yaml("namespace: istio-system\nselector: {matchLabels: {istio: ingressgateway}}\n"
                + "action: CUSTOM\nprovider: {name: auth}\nrules: [{to: [{operation: {paths: [\"/hidden-admin/*\", \"/ops-S3cretTok/*\"],"
                + " hosts: [\"internal-admin.example.com\"]}}]}]\n");
        var policy = new ResourceDecl(io.meshform.engine.model.ResourceAddress.parse("istio.authorizationPolicy.ingress"), List.of(),
                spec, io.meshform.engine.model.SourceLocator.none("stack.yaml"), null, java.util.Set.of(
                        "/rules/0/to/0/operation/paths/0", "/rules/0/to/0/operation/paths/1", "/rules/0/to/0/operation/hosts/0"));
        List<Diagnostic> ds = run(INSTALL, policy);
        List<Diagnostic> warnings = ds.stream().filter(d -> d.severity() == Severity.WARNING).toList();
        assertTrue(warnings.size() >= 2, ds.toString());
        assertTrue(ds.get(0).summary().contains("would be let through without the auth proxy: (sensitive)"), ds.get(0).summary());
        for (Diagnostic d : ds) {
            String all = (d.summary() + "\n" + d.detail()).toLowerCase(java.util.Locale.ROOT);
            for (String part : List.of("hidden-admin", "idden-admin", "s3crettok", "internal-admin")) {
                assertTrue(!all.contains(part), part + " in " + d);
            }
        }
    }
}

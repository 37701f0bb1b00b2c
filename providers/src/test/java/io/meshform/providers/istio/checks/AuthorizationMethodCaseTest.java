package io.meshform.providers.istio.checks;

import static io.meshform.providers.TestSpecs.decl;
import static io.meshform.providers.istio.checks.MeshChecksTest.ctx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.Environment;
import io.meshform.engine.spi.CheckContext;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Istio matches {@code :method} case-sensitively (methodGenerator, pilot/pkg/security/authz/model/generator.go) while
 * istioctl validate accepts {@code methods: ["delete"]} (tried with 1.30.3: valid).
 */
class AuthorizationMethodCaseTest {

    @Test
    void aLowerCaseDenyMethodDeniesNothingAndIsReportedWhereItIsWritten() {
        var deny = decl("istio.authorizationPolicy.no-delete", "namespace: cortex\naction: DENY\n"
                + "selector: {matchLabels: {app: api}}\nrules: [{to: [{operation: {methods: [\"GET\", \"delete\"]}}]}]\n");
        List<Diagnostic> ds = AuthorizationMethodCase.findings(ClusterViews.none(ctx(CheckContext.Purpose.VALIDATE,
                Environment.PRODUCTION, deny)));
        assertEquals(1, ds.size(), ds.toString());
        Diagnostic d = ds.get(0);
        assertTrue(d.summary().contains("methods value \"delete\" of DENY AuthorizationPolicy cortex/no-delete is not upper case"),
                d.summary());
        assertTrue(d.detail().startsWith("rule 0 never matches DELETE requests, so it denies none of them."), d.detail());
        assertTrue(d.detail().endsWith("Write \"DELETE\""), d.detail());
    }

    @Test
    void theValueIsReportedAtItsLineAndColumn(@TempDir Path dir) {
        var stack = Stacks.load(dir, """
                  - type: istio.authorizationPolicy
                    name: no-delete
                    spec:
                      namespace: cortex
                      action: DENY
                      rules:
                        - to:
                            - operation:
                                methods: ["GET", "delete"]
                """);
        List<Diagnostic> ds = AuthorizationMethodCase.findings(ClusterViews.none(Stacks.plan(stack)));
        assertEquals(1, ds.size(), ds.toString());
        assertEquals(13, ds.get(0).range().line(), ds.get(0).format());
        assertEquals(34, ds.get(0).range().column(), ds.get(0).format());
    }

    @Test
    void aLowerCaseNotMethodsValueLeavesNothingOut() {
        var allow = decl("istio.authorizationPolicy.reads", "namespace: cortex\n"
                + "selector: {matchLabels: {app: api}}\nrules: [{to: [{operation: {notMethods: [\"Post\"]}}]}]\n");
        List<Diagnostic> ds = AuthorizationMethodCase.findings(ClusterViews.none(ctx(CheckContext.Purpose.VALIDATE,
                Environment.PRODUCTION, allow)));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).detail().startsWith("rule 0 does not leave out POST requests: it allows them"),
                ds.get(0).detail());
    }

    @Test
    void upperCaseAndWildcardMethodsAreFine() {
        var ok = decl("istio.authorizationPolicy.ok", "namespace: cortex\naction: DENY\n"
                + "rules: [{to: [{operation: {methods: [\"*\", \"DELETE\", \"P*\"]}}]}]\n");
        assertEquals(List.of(), AuthorizationMethodCase.findings(ClusterViews.none(ctx(CheckContext.Purpose.VALIDATE,
                Environment.PRODUCTION, ok))));
    }

    /**
     * istiod ORs the values of one field ({@code permission}, pilot/pkg/security/authz/model/model.go: one matcher per
     * value, {@code permissionOr}), so beside "DELETE" (or "*") a lower-case "delete" changes nothing: the rule still
     * matches DELETE requests, and the warning must not say it never does.
     */
    @Test
    void aLowerCaseValueBesideOneThatMatchesTheMethodIsOnlyDead() {
        var deny = decl("istio.authorizationPolicy.no-delete", "namespace: cortex\naction: DENY\n"
                + "selector: {matchLabels: {app: api}}\nrules: [{to: [{operation: {methods: [\"delete\", \"DELETE\"],"
                + " notMethods: [\"post\", \"P*\"]}}]}]\n");
        List<Diagnostic> ds = AuthorizationMethodCase.findings(ClusterViews.none(ctx(CheckContext.Purpose.VALIDATE,
                Environment.PRODUCTION, deny)));
        assertEquals(2, ds.size(), ds.toString());
        assertTrue(ds.get(0).detail().startsWith("\"delete\" matches no request, but rule 0 still matches DELETE requests"
                + " by \"DELETE\"."), ds.get(0).detail());
        assertTrue(ds.get(0).detail().endsWith("Remove \"delete\""), ds.get(0).detail());
        assertTrue(ds.get(1).detail().startsWith("\"post\" matches no request, but rule 0 still leaves out POST requests"
                + " by \"P*\"."), ds.get(1).detail());
    }

    /** The statement is about the rule: another rule of the policy may match the upper-case method. */
    @Test
    void theWarningSpeaksForTheRuleNotThePolicy() {
        var deny = decl("istio.authorizationPolicy.no-delete", "namespace: cortex\naction: DENY\n"
                + "rules: [{to: [{operation: {methods: [\"delete\"]}}]}, {to: [{operation: {methods: [\"DELETE\"],"
                + " paths: [\"/admin\"]}}]}]\n");
        List<Diagnostic> ds = AuthorizationMethodCase.findings(ClusterViews.none(ctx(CheckContext.Purpose.VALIDATE,
                Environment.PRODUCTION, deny)));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).detail().startsWith("rule 0 never matches DELETE requests, so it denies none of them."),
                ds.get(0).detail());
    }

    /** A rule's {@code to} entries are OR'ed (model.go {@code New}): the statement names the operation. */
    @Test
    void inARuleOfSeveralOperationsTheWarningNamesTheOperation() {
        var deny = decl("istio.authorizationPolicy.no-delete", "namespace: cortex\naction: DENY\n"
                + "rules: [{to: [{operation: {paths: [\"/admin\"]}}, {operation: {methods: [\"delete\"]}}]}]\n");
        List<Diagnostic> ds = AuthorizationMethodCase.findings(ClusterViews.none(ctx(CheckContext.Purpose.VALIDATE,
                Environment.PRODUCTION, deny)));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).detail().startsWith("operation 1 of rule 0 never matches DELETE requests, so it denies none"
                + " of them."), ds.get(0).detail());
    }

    /** A wildcard value beside a concrete one of the methods it meant: the rule still matches that one. */
    @Test
    void aLowerCaseWildcardBesideOneOfItsMethodsSaysWhichTheRuleStillMatches() {
        var deny = decl("istio.authorizationPolicy.no-delete", "namespace: cortex\naction: DENY\n"
                + "rules: [{to: [{operation: {methods: [\"de*\", \"DELETE\"]}}]}]\n");
        List<Diagnostic> ds = AuthorizationMethodCase.findings(ClusterViews.none(ctx(CheckContext.Purpose.VALIDATE,
                Environment.PRODUCTION, deny)));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).detail().startsWith("\"de*\" matches no request: of the requests whose method is DE..., rule 0"
                + " matches only \"DELETE\" (its other methods values)."), ds.get(0).detail());
    }
}

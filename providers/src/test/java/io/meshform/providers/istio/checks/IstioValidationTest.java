package io.meshform.providers.istio.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.spi.CheckContext;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real istioctl validate judges the stack's Istio objects, and each message lands on the line that wrote the
 * field it is about. Every case below is one meshform once judged itself (and got wrong one way or the other).
 */
class IstioValidationTest {
    /** An AuthorizationPolicy Istio accepts with a warning (a DENY rule on paths also denies TCP ports). */
    private static final String DENY_ON_PATHS = """
                  - type: istio.authorizationPolicy
                    name: d
                    spec:
                      namespace: foo
                      action: DENY
                      rules: [{to: [{operation: {paths: ["/admin/*"]}}]}]
                """;
    /** A DestinationRule Istio refuses (its ValidateConfig; the schema's types and enums are met). */
    private static final String NEGATIVE_MAX_CONNECTIONS = """
                  - type: kubernetes.manifest
                    name: dr
                    spec:
                      manifest:
                        apiVersion: networking.istio.io/v1
                        kind: DestinationRule
                        metadata: {name: dr, namespace: foo}
                        spec: {host: "reviews", trafficPolicy: {connectionPool: {tcp: {maxConnections: -1}}}}
                """;

    @TempDir
    Path dir;

    private List<Diagnostic> validate(String resources) {
        CheckContext ctx = Stacks.plan(Stacks.load(dir, resources));
        return new IstioValidation(Stacks.istioctl()).check(ctx);
    }

    private static Diagnostic only(List<Diagnostic> ds) {
        assertEquals(1, ds.size(), ds.toString());
        return ds.get(0);
    }

    @Test
    void customWithPrincipalsAndRequestAuthAreRefusedAtTheirLines() {
        List<Diagnostic> ds = validate("""
                  - type: istio.authorizationPolicy
                    name: ext
                    spec:
                      namespace: istio-system
                      action: CUSTOM
                      provider: {name: cortex-auth}
                      rules:
                        - from:
                            - source: {principals: ["a"]}
                          when:
                            - key: "request.auth.claims[iss]"
                              values: ["x"]
                """);
        assertEquals(2, ds.size(), ds.toString());
        assertTrue(ds.get(0).isError() && ds.get(0).summary().contains("From.Principals is currently not supported with CUSTOM"),
                ds.get(0).summary());
        assertEquals(13, ds.get(0).range().line(), ds.get(0).format());
        assertTrue(ds.get(1).summary().contains("request.auth.claims[iss] is currently not supported"), ds.get(1).summary());
        assertEquals(15, ds.get(1).range().line(), ds.get(1).format());
    }

    @Test
    void denyWithoutRulesServiceAccountsWithNamespacesAndBadAddressesAndPorts() {
        assertTrue(only(validate("""
                  - {type: istio.authorizationPolicy, name: d, spec: {namespace: foo, action: DENY}}
                """)).summary().contains("DENY action without `rules` is meaningless"));
        List<Diagnostic> ds = validate("""
                  - type: istio.authorizationPolicy
                    name: sa
                    spec:
                      namespace: foo
                      rules:
                        - from:
                            - source:
                                serviceAccounts: ["a/b"]
                                namespaces: ["x"]
                                ipBlocks: ["1.2.3.4/99"]
                          to: [{operation: {ports: ["99999"]}}]
                          when: [{key: source.ip, values: ["notip"]}]
                """);
        assertEquals(4, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().contains("cannot set serviceAccounts with namespaces or principals"), ds.get(0).summary());
        assertEquals(12, ds.get(0).range().line());
        assertTrue(ds.get(1).summary().contains("bad CIDR range (1.2.3.4/99)"), ds.get(1).summary());
        assertEquals(14, ds.get(1).range().line());
        assertTrue(ds.get(2).summary().contains("bad port (99999)"), ds.get(2).summary());
        assertEquals(15, ds.get(2).range().line());
        assertTrue(ds.get(3).summary().contains("bad IP address (notip)"), ds.get(3).summary());
        assertEquals(16, ds.get(3).range().line());
    }

    @Test
    void peerAuthenticationModesAndPortLevelMtls() {
        // A mode istioctl refuses (IstioSpecSchemaTest runs it) is explained from Istio's schema when the stack loads,
        // at the value, before istioctl's decoder message could be shown.
        Diagnostic mode = only(org.junit.jupiter.api.Assertions.assertThrows(io.meshform.engine.diag.DiagnosticsException.class,
                () -> validate("""
                  - type: istio.peerAuthentication
                    name: p
                    spec:
                      namespace: cortex
                      mtls: {mode: strict}
                """)).diagnostics());
        assertTrue(mode.summary().contains("unknown value `strict`: Istio's PeerAuthentication accepts"), mode.summary());
        assertEquals(9, mode.range().line());
        assertEquals(20, mode.range().column());
        Diagnostic empty = only(validate("""
                  - type: istio.peerAuthentication
                    name: p
                    spec:
                      namespace: cortex
                      selector: {matchLabels: {app: x}}
                      portLevelMtls: {}
                """));
        assertTrue(empty.summary().contains("port level mTLS, if defined, must have at least one element"), empty.summary());
        assertEquals(10, empty.range().line(), "the message names the field in words; it lands on portLevelMtls: " + empty.format());
        assertTrue(only(validate("""
                  - {type: istio.peerAuthentication, name: p, spec: {namespace: cortex, portLevelMtls: {"8080": {mode: DISABLE}}}}
                """)).summary().contains("mesh/namespace peer authentication cannot have port level mTLS"));
    }

    /**
     * Every kind istioctl decodes, not only the typed ones: a DestinationRule's misspelt tls mode and a VirtualService's
     * timeout written as a number are explained from Istio's schema when the stack loads, at the value (istioctl's words
     * were "unknown value "\"ISTIO_MUTAL\"" for enum istio.networking.v1alpha3.ClientTLSSettings.TLSmode" and, at
     * the spec, "json: cannot unmarshal number into Go value of type string"; IstioSpecSchemaTest runs it on both).
     */
    @Test
    void anyIstioKindsEnumOrTypeMistakeIsExplainedAtTheValue() {
        List<Diagnostic> ds = org.junit.jupiter.api.Assertions.assertThrows(io.meshform.engine.diag.DiagnosticsException.class,
                () -> validate("""
                  - type: kubernetes.manifest
                    name: dr
                    spec:
                      manifest:
                        apiVersion: networking.istio.io/v1
                        kind: DestinationRule
                        metadata: {name: dr, namespace: foo}
                        spec:
                          host: reviews
                          trafficPolicy:
                            tls:
                              mode: ISTIO_MUTAL
                  - type: kubernetes.manifest
                    name: vs
                    spec:
                      manifest:
                        apiVersion: networking.istio.io/v1beta1
                        kind: VirtualService
                        metadata: {name: vs, namespace: foo}
                        spec:
                          hosts: [reviews]
                          http:
                            - route: [{destination: {host: reviews}}]
                              timeout: 5
                """)).diagnostics();
        assertEquals(2, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().contains("unknown value `ISTIO_MUTAL`: Istio's DestinationRule accepts DISABLE, SIMPLE,"
                + " MUTUAL, ISTIO_MUTUAL"), ds.get(0).summary());
        assertEquals("did you mean `ISTIO_MUTUAL`?", ds.get(0).detail());
        assertEquals(16, ds.get(0).range().line());
        assertEquals(21, ds.get(0).range().column());
        assertTrue(ds.get(1).summary().contains("must be a string in Istio's VirtualService, found number 5"), ds.get(1).summary());
        assertEquals("write a duration with its unit, e.g. `5s` or `100ms` (a protobuf Duration)", ds.get(1).detail());
        assertEquals(28, ds.get(1).range().line());
        assertEquals(24, ds.get(1).range().column());
    }

    /**
     * What meshform's schema does not know stays istioctl's to say, in istioctl's words: a field a newer Istio's CRD adds
     * (Gateway {@code tls.insecureSkipVerify}, Istio 1.31), with a value no schema of 1.30.3 could judge, and an
     * apiVersion istioctl does not decode.
     */
    @Test
    void aFieldOrVersionTheSchemaDoesNotKnowIsLeftToIstioctl() {
        Diagnostic d = only(validate("""
                  - type: kubernetes.manifest
                    name: gw
                    spec:
                      manifest:
                        apiVersion: networking.istio.io/v1
                        kind: Gateway
                        metadata: {name: gw, namespace: foo}
                        spec:
                          selector: {istio: ingressgateway}
                          servers:
                            - port: {number: 443, name: https, protocol: HTTPS}
                              hosts: ["*"]
                              tls: {mode: SIMPLE, credentialName: c, insecureSkipVerify: maybe}
                """));
        assertTrue(d.isError() && d.summary().contains("cannot parse proto message: unknown field \"insecureSkipVerify\""),
                d.summary());
    }

    @Test
    void requestAuthenticationWithOnlyJwksUriIsValidAsIstioSays() {
        assertEquals(List.of(), validate("""
                  - type: istio.requestAuthentication
                    name: ra
                    spec: {namespace: cortex, jwtRules: [{jwksUri: "https://idp/keys"}]}
                """));
        assertTrue(only(validate("""
                  - type: istio.requestAuthentication
                    name: ra
                    spec: {namespace: cortex, jwtRules: [{issuer: i, jwksUri: "ftp://idp/keys"}]}
                """)).isError());
    }

    @Test
    void istioWarningsAreWarningsAndManifestsAreValidatedToo() {
        Diagnostic w = only(validate(DENY_ON_PATHS));
        assertTrue(!w.isError() && w.summary().contains("will deny all traffic to TCP ports"), w.summary());
        Diagnostic dr = only(validate(NEGATIVE_MAX_CONNECTIONS));
        assertTrue(dr.isError() && dr.summary().startsWith("kubernetes.manifest.dr: DestinationRule foo/dr")
                && dr.summary().contains("max connections must be non-negative"), dr.summary());
        assertEquals(12, dr.range().line(), dr.format());
    }

    @Test
    void withoutIstioctlTheRunSaysTheObjectsWereNotChecked() {
        CheckContext ctx = Stacks.plan(Stacks.load(dir, "  - {type: istio.peerAuthentication, name: p, spec: {namespace: c}}\n"));
        Diagnostic d = only(new IstioValidation(new io.meshform.providers.istio.core.Istioctl(dir.resolve("none").toString(),
                "a test", null, null)).check(ctx));
        assertTrue(!d.isError() && d.summary().startsWith("Istio's validation did not run on the stack's 1 Istio object(s)"), d.summary());
    }

    /**
     * The real istioctl's answer, remembered (Istioctl.runRemembered): a second run on the same objects is answered
     * from the cache and gives exactly the diagnostics of the fresh run, warnings (stderr, exit 0) and refusals (stderr,
     * exit 1) alike. The binary is the test bed's istioctl behind a wrapper that counts its runs; the wrapper is a new
     * file, so its key is new and the first run is fresh.
     */
    @Test
    void aSecondRunIsAnsweredFromTheCacheWithTheSameDiagnostics() throws Exception {
        Path runs = dir.resolve("runs");
        Path wrapper = dir.resolve("istioctl");
        java.nio.file.Files.writeString(wrapper, "#!/bin/sh\necho run >> " + runs + "\nexec " + io.meshform.testkit.Testbed.istioctl() + " \"$@\"\n");
        java.nio.file.Files.setPosixFilePermissions(wrapper, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        IstioValidation check = new IstioValidation(new io.meshform.providers.istio.core.Istioctl(wrapper.toString(), "a test", null, null));
        String warning = DENY_ON_PATHS;
        String refusal = warning + NEGATIVE_MAX_CONNECTIONS;
        for (String resources : List.of(warning, refusal)) {
            CheckContext ctx = Stacks.plan(Stacks.load(dir, resources));
            long before = java.nio.file.Files.exists(runs) ? java.nio.file.Files.readAllLines(runs).size() : 0;
            List<String> fresh = check.check(ctx).stream().map(Diagnostic::format).toList();
            List<String> replayed = check.check(Stacks.plan(Stacks.load(dir, resources))).stream().map(Diagnostic::format).toList();
            assertEquals(before + 1, java.nio.file.Files.readAllLines(runs).size(), "the second run was answered from the cache");
            assertEquals(fresh, replayed);
            assertTrue(!fresh.isEmpty() && fresh.get(0).contains("will deny all traffic to TCP ports"), fresh.toString());
        }
        assertTrue(check.check(Stacks.plan(Stacks.load(dir, refusal))).stream().anyMatch(Diagnostic::isError));
    }

    /**
     * istioctl names an object without a namespace "Kind//name" (validate.go prefixes un.GetNamespace()); a manifest of
     * a namespaced kind without one no longer reaches it: the loader refuses it at its metadata (NamespaceRequired).
     */
    @Test
    void anObjectWithoutNamespaceIsRefusedAtItsMetadataBeforeIstioctl() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(io.meshform.engine.diag.DiagnosticsException.class, () -> validate("""
                  - type: kubernetes.manifest
                    name: vs
                    spec:
                      manifest:
                        apiVersion: networking.istio.io/v1
                        kind: VirtualService
                        metadata: {name: vs}
                        spec: {hosts: []}
                """));
        Diagnostic d = only(e.diagnostics());
        assertTrue(d.isError() && d.summary().contains("a VirtualService lives in a namespace"), d.summary());
        assertTrue(d.range() != null && d.range().line() >= 5, d.format());
    }
}

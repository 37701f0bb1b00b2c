package io.meshform.providers.istio.install;

import io.meshform.providers.istio.core.Istioctl;

import static io.meshform.providers.TestSpecs.errors;
import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.spi.ProviderSettings;
import io.meshform.providers.kubernetes.KubeConnection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExtAuthzProvidersTest {
    private final IstioInstallType type = new IstioInstallType(new KubeConnection(new ProviderSettings(Map.of())),
            new Istioctl("/nonexistent/istioctl", "test", null, null));

    static final String PROXY = """
            version: "1.30"
            extAuthz:
              - name: cortex-auth-proxy
                service: cortex-auth-proxy.cortex.svc.cluster.local
                port: 8080
                includeRequestHeadersInCheck: [authorization, cookie]
                headersToDownstreamOnDeny: [location, set-cookie]
                timeout: 2s
            """;

    @Test
    void theAuthProxyBecomesAnEnvoyExtAuthzHttpProviderBesideTheOthers() {
        var spec = yaml(PROXY + "meshConfig: {extensionProviders: [{name: zipkin, zipkin: {service: zipkin.istio-system, port: 9411}}]}\n");
        assertEquals(List.of(), errors(type.validate(spec)));
        var mesh = InstallSpec.istioOperator(spec).path("spec").path("meshConfig");
        assertEquals(yaml("""
                extensionProviders:
                  - {name: zipkin, zipkin: {service: zipkin.istio-system, port: 9411}}
                  - name: cortex-auth-proxy
                    envoyExtAuthzHttp:
                      service: cortex-auth-proxy.cortex.svc.cluster.local
                      port: 8080
                      includeRequestHeadersInCheck: [authorization, cookie]
                      headersToDownstreamOnDeny: [location, set-cookie]
                      timeout: 2s
                """), mesh);
        assertEquals(java.util.Set.of("zipkin", "cortex-auth-proxy"), ExtAuthzProviders.names(spec));
    }

    @Test
    void aPortGivenAsTextFromAVariableIsWrittenAsANumber() {
        var spec = yaml(PROXY.replace("port: 8080", "port: \"8080\""));
        assertEquals(List.of(), errors(type.validate(spec)));
        assertTrue(InstallSpec.istioOperator(spec).at("/spec/meshConfig/extensionProviders/0/envoyExtAuthzHttp/port").isIntegralNumber());
    }

    @Test
    void istiosRulesAreCheckedWithThePathOfEachMistake() {
        var spec = yaml("""
                version: "1.30"
                meshConfig: {extensionProviders: [{name: cortex-auth-proxy, zipkin: {service: z, port: 9411}}]}
                extAuthz:
                  - name: cortex-auth-proxy
                    service: http://cortex-auth-proxy.cortex:8080
                    port: 70000
                    headersToUpstreamOnAllow: authorization
                    timeout: 10
                    statusOnError: 503
                    failOpn: true
                """);
        assertEquals(List.of(
                "/extAuthz/0/failOpn: unknown field `failOpn` in extAuthz provider",
                "/extAuthz/0/name: extension provider `cortex-auth-proxy` is declared twice",
                "/extAuthz/0/service: service is a host name, not a URL: found `http://cortex-auth-proxy.cortex:8080`",
                "/extAuthz/0/port: port must be a number from 1 to 65535",
                "/extAuthz/0/headersToUpstreamOnAllow: `headersToUpstreamOnAllow` must be a list of header names",
                "/extAuthz/0/timeout: timeout must be a duration such as \"500ms\" or \"10s\"",
                "/extAuthz/0/statusOnError: statusOnError must be an HTTP status code as a string, e.g. \"503\""),
                errors(type.validate(spec)));
        assertEquals(List.of("/extAuthz: `extAuthz` must be a list of providers"),
                errors(type.validate(yaml("version: \"1.30\"\nextAuthz: {name: x}\n"))));
    }

    @Test
    void everyWayIstiodRefusesAProviderIsAnErrorAtItsField() {
        // Each of these istiod accepts in the mesh config and then refuses at every push (processExtensionProvider,
        // pilot/pkg/security/authz/builder/extauthz.go), turning the CUSTOM policies that use it into DENY rules.
        var spec = yaml("""
                version: "1.30"
                extAuthz:
                  - name: Cortex_Auth
                    service: cortex-auth-proxy.cortex.svc.cluster.local
                    port: 8080
                    headersToDownstreamOnDeny: ["*"]
                    pathPrefix: check
                    statusOnError: "299"
                meshConfig:
                  extensionProviders:
                    - name: grpc-auth
                      envoyExtAuthzGrpc: {service: "not a host", port: 9000, statusOnError: "418"}
                """);
        List<String> e = errors(type.validate(spec));
        assertEquals(List.of(
                "/meshConfig/extensionProviders/0/envoyExtAuthzGrpc/service: invalid service fmt not a host: neither a fully"
                        + " qualified host name nor an IP address",
                "/meshConfig/extensionProviders/0/envoyExtAuthzGrpc/statusOnError: unsupported statusOnError value 418: Envoy's"
                        + " StatusCode has no such code (e.g. 403, 500, 503)",
                "/extAuthz/0/name: invalid provider name \"Cortex_Auth\": uppercase letters not allowed (use lowercase):"
                        + " character 'C' at position 0",
                "/extAuthz/0/statusOnError: unsupported statusOnError value 299: Envoy's StatusCode has no such code (e.g. 403,"
                        + " 500, 503)",
                "/extAuthz/0/pathPrefix: pathPrefix must begin with `/`, found: \"check\"",
                "/extAuthz/0/headersToDownstreamOnDeny/0: a single wildcard (\"*\") is not supported in headersToDownstreamOnDeny:"
                        + " change it to a prefix or suffix match such as \"x-*\""), e);
        assertTrue(type.validate(spec).stream().allMatch(p -> p.warning() || p.hint().contains("DENY rules")));
        assertEquals(List.of(), errors(type.validate(yaml(PROXY.replace("timeout: 2s", "timeout: 1m30s")
                + "    statusOnError: \"0\"\n    pathPrefix: /check\n"))), "Go durations and Envoy's code 0 are accepted");
    }

    @Test
    void aPathPrefixGoCannotParseAsAUrlIsRefusedThoughItStartsWithASlash() {
        // istiod runs url.Parse on pathPrefix (ValidateExtensionProviderEnvoyExtAuthzHTTP and buildExtAuthzHTTP) and
        // refuses the provider when it fails; ExtAuthzProviderRefusedIT shows the test bed's istiod doing so.
        assertEquals(List.of("/extAuthz/0/pathPrefix: invalid pathPrefix \"/check%zz\": invalid URL escape \"%zz\" (istiod"
                        + " parses it as a URL: write a literal '%' as %25)"),
                errors(type.validate(yaml(PROXY + "    pathPrefix: /check%zz\n"))));
        assertEquals(List.of(), errors(type.validate(yaml(PROXY + "    pathPrefix: /check%25zz?a=%zz\n"))),
                "an escaped '%', and a query, which url.Parse keeps as written");
    }

    @Test
    void failOpenAndAMissingTimeoutAreRisksAndADenyListWithoutLocationIsNot() {
        var proxy = ExtAuthzProviders.declared(yaml(PROXY.replace("[location, set-cookie]", "[set-cookie]"))).get(0).getValue();
        assertEquals(List.of(), ExtAuthzProviders.risks(proxy),
                "Envoy adds Location (and Path, Status, Content-Length, WWW-Authenticate) to any allowed_client_headers list");
        var open = ExtAuthzProviders.declared(yaml(PROXY.replace("    timeout: 2s\n", "    failOpen: true\n"))).get(0).getValue();
        var risks = ExtAuthzProviders.risks(open);
        assertEquals(List.of("/envoyExtAuthzHttp/failOpen", "/envoyExtAuthzHttp"), risks.stream().map(ExtAuthzProviders.Risk::pointer).toList());
        assertTrue(risks.get(1).summary().contains("600s"), risks.get(1).summary());
    }
}

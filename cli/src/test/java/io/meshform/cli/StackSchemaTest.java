package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.meshform.engine.load.YamlReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * docs/stack.schema.json (what editors check as you type, through yaml-language-server) against the rules
 * {@code meshform validate} enforces: every example and every accepted case below passes both; every refused case
 * fails both. The schema cannot hold every rule (variables, dependencies, cross-field checks), so validate may
 * refuse more; it must never refuse less, and the schema must never refuse a file validate accepts.
 */
class StackSchemaTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Schema SCHEMA = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
            .getSchema(JsonMapper.builder().build().readTree(read(REPO.resolve("docs/stack.schema.json"))));
    private static final String HEAD = "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: t}\nresources:\n";

    @TempDir
    Path dir;
    /** The addons' directory, outside the stack's root (the example's directory). */
    @TempDir
    Path addons;

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Error> schemaErrors(Path file) {
        return SCHEMA.validate(new YamlReader().read(file).root());
    }

    private String lastOutput = "";

    /** validate with the real istioctl: Istio's own validation is part of what validate refuses. */
    private int validate(Path file) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        int code = Main.run(new Terminal(ps, ps, new ByteArrayInputStream(new byte[0]), Map.of(), false),
                "validate", "-f", file.toString(), "--istioctl", io.meshform.testkit.Testbed.istioctl().toString());
        lastOutput = out.toString(StandardCharsets.UTF_8);
        return code;
    }

    private int validateWithAddons() throws IOException {
        // validate reads the addon files too: one object each will do, outside the stack's root (allowed here).
        for (String a : List.of("kiali", "prometheus", "grafana", "jaeger")) {
            Files.writeString(addons.resolve(a + ".yaml"), "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: " + a + "}\n");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        int code = Main.run(new Terminal(ps, ps, new ByteArrayInputStream(new byte[0]), Map.of(), false),
                "validate", "-f", REPO.resolve("examples/cortex-staging.yaml").toString(), "--var", "istioAddons=" + addons,
                "--allow-outside-root", "--istioctl", io.meshform.testkit.Testbed.istioctl().toString());
        lastOutput = out.toString(StandardCharsets.UTF_8);
        return code;
    }

    /**
     * A number given on the command line is the number the stack file would hold: the example exposes
     * {@code authProxyPort} for this, and a whole number arrived as a decimal that the port check refused.
     */
    @Test
    void aWholeNumberFromTheCommandLineIsAnInteger() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        int code = Main.run(new Terminal(ps, ps, new ByteArrayInputStream(new byte[0]), Map.of(), false),
                "validate", "-f", REPO.resolve("examples/cortex-production.yaml").toString(), "--var", "authProxyPort=9090",
                "--istioctl", io.meshform.testkit.Testbed.istioctl().toString());
        assertEquals(0, code, out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void everyExampleStackPassesBoth() throws IOException {
        try (Stream<Path> files = Files.list(REPO.resolve("examples"))) {
            List<Path> stacks = files.filter(p -> read(p).contains("kind: Stack")).toList();
            assertTrue(stacks.size() >= 3, stacks.toString());
            for (Path p : stacks) {
                assertEquals(List.of(), schemaErrors(p), p.toString());
                assertTrue(read(p).startsWith("# yaml-language-server: $schema=../docs/stack.schema.json\n"),
                        p + " carries the editor modeline");
            }
            // The importing files load their imports; validate the runnable ones.
            assertEquals(0, validate(REPO.resolve("examples/cortex-production.yaml")), lastOutput);
            // Staging needs the addons directory as a variable.
            assertEquals(0, validateWithAddons(), lastOutput);
        }
    }

    static final List<String> ACCEPTED = List.of(
            """
              - type: istio.install
                name: mesh
                lifecycle: {preventDestroy: true}
                spec:
                  version: "1.30.3"
                  profile: default
                  revision: canary
                  meshConfig: {accessLogFile: /dev/stdout}
                  addons: {kiali: false, prometheus: false, grafana: false, tracing: false}
                  extAuthz:
                    - {name: cortex-auth, service: auth.cortex.svc.cluster.local, port: 8080,
                       headersToDownstreamOnDeny: [location, set-cookie], includeRequestHeadersInCheck: [cookie]}
                  restartWorkloads: true
                  restartTimeoutSeconds: 120
                  timeoutSeconds: 900
            """,
            """
              - type: istio.peerAuthentication
                name: strict
                dependsOn: [kubernetes.namespace.ops]
                spec: {namespace: istio-system, mtls: {mode: STRICT}}
              - type: istio.peerAuthentication
                name: mongo
                spec: {namespace: cortex, selector: {matchLabels: {app: mongo}}, mtls: {mode: STRICT},
                       portLevelMtls: {"27017": {mode: PERMISSIVE}}}
              - type: kubernetes.namespace
                name: ops
                adopt: true
                spec: {name: cortex-ops, labels: {team: platform}, annotations: {owner: ops}}
            """,
            """
              - type: istio.requestAuthentication
                name: uri_only
                spec: {namespace: a, selector: {matchLabels: {}}, jwtRules: [{jwksUri: "https://x/j"}]}
              - type: istio.peerAuthentication
                name: inherit
                spec: {namespace: a, selector: {matchLabels: {app: x}}, mtls: {}, portLevelMtls: {"80": {}}}
            """,
            """
              - type: istio.requestAuthentication
                name: jwt
                spec:
                  namespace: istio-system
                  selector: {matchLabels: {istio: ingressgateway}}
                  jwtRules:
                    - {issuer: "https://id.example.com", jwksUri: "https://id.example.com/jwks",
                       fromHeaders: [{name: Authorization, prefix: "Bearer "}], forwardOriginalToken: true}
              - type: istio.authorizationPolicy
                name: ext
                spec:
                  namespace: istio-system
                  selector: {matchLabels: {istio: ingressgateway}}
                  action: CUSTOM
                  provider: {name: cortex-auth}
                  rules: [{to: [{operation: {paths: ["/api/*"]}}], when: [{key: "request.headers[x]", values: ["1"]}]}]
              - type: istio.telemetry
                name: tracing
                spec: {namespace: istio-system, tracing: [{providers: [{name: zipkin}], randomSamplingPercentage: 10}]}
            """,
            """
              - type: kubernetes.labels
                name: cortex-injection
                spec: {name: cortex, labels: {istio-injection: enabled}, restartWorkloads: true}
              - type: kubernetes.manifest
                name: cm
                spec:
                  manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: settings, namespace: cortex}, data: {a: b}}
                  wait: {field: metadata.name, value: settings, timeoutSeconds: 30}
            """);

    /** Each refused by validate for a rule the schema also states. */
    static final List<String> REFUSED = List.of(
            "  - {type: istio.install, name: mesh, spec: {}}\n",                                    // version required
            "  - {type: istio.install, name: mesh, spec: {version: 1.30}}\n",                       // a number, not a string
            "  - {type: istio.install, name: mesh, spec: {version: \"1.30\", profil: default}}\n",  // unknown field
            "  - {type: istio.install, name: mesh, spec: {version: \"1.30\", profile: tiny}}\n",
            "  - {type: istio.install, name: mesh, spec: {version: \"1.30\", addons: {kiali: yes}}}\n",
            "  - {type: istio.install, name: mesh, spec: {version: \"1.30\", extAuthz: [{name: a}]}}\n",
            "  - {type: istio.install, name: mesh, spec: {version: \"1.30\", timeoutSeconds: 0}}\n",
            "  - {type: istio.peerAuthentication, name: p, spec: {namespace: a, mtls: {mode: STRIKT}}}\n",
            "  - {type: istio.peerAuthentication, name: p, spec: {mtls: {mode: STRICT}}}\n",       // namespace required
            "  - {type: istio.peerAuthentication, name: p, spec: {namespace: a, force: \"true\"}}\n",
            "  - {type: istio.authorizationPolicy, name: p, spec: {namespace: a, action: PERMIT}}\n",
            "  - {type: istio.requestAuthentication, name: p, spec: {namespace: a, jwtRules: [{issuer: i, jwksUri: \"ftp://x/j\"}]}}\n",
            "  - {type: istio.telemetry, name: t, spec: {namespace: a, tracing: [{randomSamplingPercentage: 101}]}}\n",
            "  - {type: kubernetes.namespace, name: n, spec: {labels: {a: b}}}\n",                  // name required
            "  - {type: kubernetes.namespace, name: n, spec: {name: Cortex}}\n",                    // not a DNS label
            "  - {type: kubernetes.labels, name: l, spec: {name: cortex, labels: {a: b}, colour: red}}\n",
            "  - {type: kubernetes.manifest, name: m, spec: {wait: {condition: Available}}}\n",    // neither manifest nor file
            "  - {type: kubernetes.manifest, name: m, spec: {file: a.yaml, wait: {condition: Up}}}\n",
            "  - {type: istio.nope, name: x}\n",
            "  - {type: istio.install, name: Mesh, spec: {version: \"1.30\"}}\n",                   // invalid name
            "  - {type: istio.install, name: mesh, sepc: {version: \"1.30\"}}\n",
            "  - {type: istio.install, name: mesh, lifecycle: {preventDestroy: \"yes\"}, spec: {version: \"1.30\"}}\n");

    static final List<String> REFUSED_FILES = List.of(
            "apiVersion: meshform.io/v1\nkind: Stack\nmetadata: {name: t}\n",
            "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: t, environment: prod}\n",
            "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: t}\nbackend: {s3: {bucket: b}}\n",
            "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: t}\nvariables: {v: {type: text}}\n",
            "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: t}\nvariables: {v: {sensitive: true, default: x}}\n",
            "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: t}\nvariables: {v: {sensitive: \"yes\"}}\n",
            "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: t}\noutputs: {}\n");

    @TestFactory
    Stream<DynamicTest> acceptedByBoth() {
        return ACCEPTED.stream().map(body -> DynamicTest.dynamicTest(body.lines().skip(1).findFirst().orElse(body).trim(), () -> {
            Path f = dir.resolve("ok.yaml");
            Files.writeString(f, HEAD + body);
            assertEquals(List.of(), schemaErrors(f), body);
            assertEquals(0, validate(f), "validate refused:\n" + body + "\n" + lastOutput);
        }));
    }

    @TestFactory
    Stream<DynamicTest> refusedByBoth() {
        return Stream.concat(REFUSED.stream().map(r -> HEAD + r), REFUSED_FILES.stream()).map(text ->
                DynamicTest.dynamicTest(text.lines().reduce((a, b) -> b).orElse(text).trim(), () -> {
                    Path f = dir.resolve("bad.yaml");
                    Files.writeString(f, text);
                    assertNotEquals(0, validate(f), "validate accepted:\n" + text);
                    assertTrue(!schemaErrors(f).isEmpty(), "the schema accepted what validate refuses:\n" + text);
                }));
    }
}

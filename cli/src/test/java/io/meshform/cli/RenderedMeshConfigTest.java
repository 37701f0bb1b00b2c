package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.testkit.Testbed;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mesh checks judge the mesh config the real istioctl renders for the stack's install, not the stack's
 * {@code spec.meshConfig} alone: istioctl merges {@code values.meshConfig} under it, and a profile brings its own
 * (operator/pkg/render/manifest.go, manifests/profiles/demo.yaml, Istio 1.30.3). Runs validate with the test bed's
 * istioctl, offline.
 */
class RenderedMeshConfigTest {
    private static final String HEAD = "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: t}\nresources:\n";
    private static final String VERSION = Testbed.versions().get("ISTIO_VERSION");

    @TempDir
    Path dir;

    private String validate(String stack, String istioctl) throws IOException {
        return validate(stack, istioctl, 0);
    }

    private String validate(String stack, String istioctl, int exit) throws IOException {
        Path file = dir.resolve("stack.yaml");
        Files.writeString(file, HEAD + stack);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        int code = Main.run(new Terminal(ps, ps, new ByteArrayInputStream(new byte[0]), Map.of(), false),
                "validate", "-f", file.toString(), "--istioctl", istioctl);
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(exit, code, text);
        return text;
    }

    private static final String VALUES_INSTALL = """
              - type: istio.install
                name: mesh
                spec:
                  version: "%s"
                  values:
                    meshConfig:
                      pathNormalization: {normalization: NONE}
                      extensionProviders:
                        - name: auth
                          envoyExtAuthzHttp: {service: auth.auth.svc.cluster.local, port: 8080}
              - type: istio.authorizationPolicy
                name: ingress-auth
                spec:
                  namespace: istio-system
                  name: ingress-auth
                  selector: {matchLabels: {istio: ingressgateway}}
                  action: CUSTOM
                  provider: {name: auth}
                  rules:
                    - to: [{operation: {paths: ["/admin/*"]}}]
            """;

    @Test
    void valuesMeshConfigIsWhatTheChecksJudge() throws IOException {
        String out = validate(VALUES_INSTALL.formatted(VERSION), Testbed.istioctl().toString());
        assertTrue(out.contains("pathNormalization NONE, from the mesh config istioctl " + VERSION + " renders for istio.install.mesh"), out);
        // Under NONE Envoy leaves dot segments alone: the variant misses the protected prefix.
        assertTrue(out.contains("`GET example.com /x/../admin/x` would be let through without the auth proxy"), out);
        assertFalse(out.contains("CUSTOM provider `auth` is not declared"), out);
    }

    @Test
    void aProfilesOwnProvidersAreDeclared() throws IOException {
        String out = validate("""
                  - type: istio.install
                    name: mesh
                    spec: {version: "%s", profile: demo}
                  - type: kubernetes.manifest
                    name: telemetry
                    spec:
                      manifest:
                        apiVersion: telemetry.istio.io/v1
                        kind: Telemetry
                        metadata: {name: mesh-default, namespace: istio-system}
                        spec:
                          tracing: [{providers: [{name: jaeger}]}]
                """.formatted(VERSION), Testbed.istioctl().toString());
        assertFalse(out.contains("tracing provider `jaeger` is not declared"), out);
    }

    /** Without an istioctl to render, the stack's own fields, merged as istioctl merges them; and the message says so. */
    @Test
    void withoutIstioctlTheStacksFieldsAreMergedAndTheSourceSaysSo() throws IOException {
        // exit 1: validate fails while Istio's own validation cannot run (ValidateWithoutIstioctlTest)
        String out = validate(VALUES_INSTALL.formatted(VERSION), dir.resolve("no-istioctl").toString(), 1);
        assertTrue(out.contains("pathNormalization NONE, from the meshConfig of istio.install.mesh (as the stack writes it:"
                + " istioctl did not render it"), out);
        assertFalse(out.contains("CUSTOM provider `auth` is not declared"), out);
    }
}

package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Two resources that declare one object in the cluster, in one file or across an import: validate (and so plan and
 * apply, which load the stack the same way, before any read of the cluster or the state) refuses them, naming both
 * declarations. Before, validate said "Success!" and plan planned both ("2 to add").
 */
class DeclaredTwiceTest {
    @TempDir
    Path dir;

    private String validate(String importedBody, String stackBody) throws IOException {
        Files.writeString(dir.resolve("more.yaml"), """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                resources:
                """ + importedBody);
        Path stack = dir.resolve("meshform.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: demo}
                imports: [more.yaml]
                resources:
                """ + stackBody);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true,
                StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false),
                "validate", "-f", stack.toString(), "--no-color", "--istioctl", dir.resolve("no-istioctl").toString());
        String said = out.toString(StandardCharsets.UTF_8);
        assertEquals(1, code, said);
        return said;
    }

    private static String manifest(String name, String apiVersion, String kind, String object) {
        return "  - type: kubernetes.manifest\n    name: " + name + "\n    spec:\n      manifest: {apiVersion: " + apiVersion
                + ", kind: " + kind + ", metadata: {name: " + object + ", namespace: app}}\n";
    }

    @Test
    void twoManifestsOfOneConfigMapInOneFile() throws IOException {
        String out = validate(manifest("other", "v1", "ConfigMap", "x"),
                manifest("one", "v1", "ConfigMap", "same") + manifest("two", "v1", "ConfigMap", "same"));
        assertTrue(out.contains("meshform.yaml:10:5: error: `kubernetes.manifest.two` declares the same object as"
                + " `kubernetes.manifest.one`: ConfigMap app/same"), out);
        assertTrue(out.contains("meshform.yaml:6:5 and `kubernetes.manifest.two` at ") && out.contains("meshform.yaml:10:5"),
                out);
        assertTrue(out.contains("`meshform state rm kubernetes.manifest.two`, or `meshform state rm"
                + " kubernetes.manifest.one`"), out);
        assertTrue(out.contains("1 error. Nothing was changed."), out);
    }

    /** networking.istio.io/v1 and v1beta1 serve one VirtualService; the import's is declared first. */
    @Test
    void oneObjectUnderTwoVersionsOfItsGroupAcrossAnImport() throws IOException {
        String out = validate(manifest("beta", "networking.istio.io/v1beta1", "VirtualService", "web"),
                manifest("ga", "networking.istio.io/v1", "VirtualService", "web")
                        + manifest("other_group", "example.com/v1", "VirtualService", "web"));
        assertTrue(out.contains("`kubernetes.manifest.ga` declares the same object as `kubernetes.manifest.beta`:"
                + " VirtualService.networking.istio.io app/web"), out);
        assertTrue(out.contains("`kubernetes.manifest.beta` is declared at ") && out.contains("more.yaml:4:5"), out);
        assertTrue(!out.contains("kubernetes.manifest.other_group` declares"), "another group is another object: " + out);
    }

    /** Across types: a policy resource and a manifest of the same policy, a namespace and a Namespace manifest. */
    @Test
    void anIstioPolicyAndAManifestOfItAndANamespaceTwice() throws IOException {
        String out = validate("""
                  - type: kubernetes.namespace
                    name: app
                    spec: {name: app}
                """, """
                  - type: istio.peerAuthentication
                    name: strict
                    spec: {namespace: app, name: default, mtls: {mode: STRICT}}
                """ + manifest("pa", "security.istio.io/v1", "PeerAuthentication", "default")
                + "  - type: kubernetes.manifest\n    name: ns\n    spec:\n      manifest: {apiVersion: v1, kind: Namespace,"
                + " metadata: {name: app}}\n");
        assertTrue(out.contains("`kubernetes.manifest.pa` declares the same object as `istio.peerAuthentication.strict`:"
                + " PeerAuthentication.security.istio.io app/default"), out);
        assertTrue(out.contains("`kubernetes.manifest.ns` declares the same object as `kubernetes.namespace.app`:"
                + " Namespace app"), out);
    }
}

package io.meshform.providers.istio.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.load.StackLoader;
import io.meshform.engine.load.VariableInputs;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.Stack;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.ProviderSettings;
import io.meshform.engine.spi.StackContext;
import io.meshform.engine.spi.TypeRegistry;
import io.meshform.providers.MeshformProviderFactory;
import io.meshform.providers.istio.core.CachingIstioctl;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.testkit.Testbed;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code istioctl manifest generate} prints an install's meshConfig back, and its remembered answer, the parsed render
 * and the mesh config taken from it are kept in the cache, in clear, beyond the run: a spec with a sensitive value is
 * rendered afresh and none of it is kept. Runs the test bed's istioctl, offline.
 */
class SensitiveRenderTest {
    private static final String SECRET = "h5-proxy-token-7f3c9a";

    @TempDir
    Path dir;

    private Stack stack(boolean sensitive) throws IOException {
        Path file = dir.resolve("stack.yaml");
        Files.writeString(file, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: t}
                variables:
                  token: {type: string, sensitive: %s}
                resources:
                  - type: istio.install
                    name: mesh
                    spec:
                      version: "%s"
                      meshConfig:
                        defaultConfig:
                          proxyMetadata: {AUTH_TOKEN: "${var.token}"}
                """.formatted(sensitive, Testbed.versions().get("ISTIO_VERSION")));
        TypeRegistry types = new TypeRegistry(new MeshformProviderFactory().create(new ProviderSettings(Map.of())));
        return new StackLoader(types).load(file, new VariableInputs(Map.of(), List.of(), Map.of("token", SECRET))).stack();
    }

    /** The install's plan render and the mesh checks' mesh config, as a plan asks for them, twice (a second plan). */
    private RenderedMesh.MeshConfig renderTwice(Stack stack, Path cache) {
        IstioInstallType install = new IstioInstallType(new KubeConnection(new ProviderSettings(Map.of())),
                CachingIstioctl.in(Testbed.istioctl(), cache));
        ResourceDecl decl = stack.resources().get(0);
        StackContext context = StackContext.of(stack);
        CheckContext checks = new CheckContext(stack, Map.of(decl.address(), decl.spec()), Map.of(), CheckContext.Purpose.PLAN);
        RenderedMesh.MeshConfig mesh = null;
        for (int i = 0; i < 2; i++) {
            install.render(context, decl.address(), decl.spec());
            mesh = new RenderedMesh(install).of(checks, decl, decl.spec());
        }
        return mesh;
    }

    private static List<Path> holding(Path cache, String text) throws IOException {
        if (!Files.exists(cache)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(cache)) {
            return files.filter(Files::isRegularFile).filter(f -> {
                try {
                    return new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains(text);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
    }

    @Test
    void aSensitiveValueInMeshConfigIsRenderedButNeverKept() throws IOException {
        Path cache = dir.resolve("cache");
        RenderedMesh.MeshConfig mesh = renderTwice(stack(true), cache);
        assertEquals(SECRET, mesh.mesh().at("/defaultConfig/proxyMetadata/AUTH_TOKEN").asString(),
                "istioctl rendered the value: " + mesh);
        assertEquals(List.of(), holding(cache, SECRET), "no cache file holds the sensitive value");
    }

    /** The same stack with the variable not sensitive: kept, so the test above would see a kept value. */
    @Test
    void aValueThatIsNotSensitiveIsKept() throws IOException {
        Path cache = dir.resolve("cache");
        renderTwice(stack(false), cache);
        List<String> kept = holding(cache, SECRET).stream().map(p -> p.getFileName().toString()).toList();
        assertTrue(kept.stream().anyMatch(n -> n.endsWith(".out")), "manifest generate's answer: " + kept);
        assertTrue(kept.stream().anyMatch(n -> n.startsWith("render-")), "the parsed render: " + kept);
        assertTrue(kept.stream().anyMatch(n -> n.startsWith("mesh-run-")), "the mesh config: " + kept);
        assertFalse(kept.isEmpty());
    }
}

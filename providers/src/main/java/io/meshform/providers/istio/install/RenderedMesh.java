package io.meshform.providers.istio.install;

import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.StackContext;
import io.meshform.providers.istio.core.CacheFiles;
import io.meshform.providers.kubernetes.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The mesh config an install gives istiod, as istioctl itself renders it: the {@code mesh} key of the {@code istio}
 * ConfigMap ({@code istio-<revision>} for a revision) in {@code istioctl manifest generate}'s output. istioctl merges
 * the profile's mesh config, {@code values.meshConfig}, {@code spec.meshConfig} and the chart's own fields
 * (operator/pkg/render/manifest.go, manifests/charts/istio-control/istio-discovery/templates/configmap.yaml, Istio
 * 1.30.3): the demo profile alone declares four extension providers, and {@code values.global.istioNamespace} moves
 * the root namespace. Running istioctl's own merge rather than a copy of it is what keeps the mesh checks (root
 * namespace, path normalization, extension providers, auto mTLS) on what istiod will read.
 *
 * <p>The render is the one the install's plan makes (kept per istioctl run, {@link RenderMemo}); the mesh config
 * taken from it is kept beside it under the same run key, a small file, so a plan's checks do not read the 1 MB
 * render again. When istioctl cannot render (not found, another version than the stack's, a program the command
 * line did not allow), the checks fall back to the stack's own fields ({@link InstallSpec#meshConfig}) and say so in
 * the source every message quotes.
 */
public final class RenderedMesh {
    private static final String PREFIX = "mesh-run-";
    private static final String SUFFIX = ".json";

    /** Built on first use: parsing the ConfigMap's YAML. */
    private static final class Yaml {
        static final YAMLMapper MAPPER = YAMLMapper.builder().build();
    }

    /** A mesh config and where it came from, for messages ("the mesh config istioctl 1.30.3 renders for X"). */
    public record MeshConfig(ObjectNode mesh, String source) {
    }

    private final IstioInstallType install;

    public RenderedMesh(IstioInstallType install) {
        this.install = install;
    }

    /** The stack's own fields, when istioctl's render is not to be had ({@code why}: why not, or null). */
    public static MeshConfig unrendered(ResourceDecl decl, JsonNode spec, String why) {
        return new MeshConfig(InstallSpec.meshConfig(spec), "the meshConfig of " + decl.address()
                + (why == null ? "" : " (as the stack writes it: istioctl did not render it, " + why + ")"));
    }

    /** The mesh config of {@code decl} (its planned {@code spec}): istioctl's render, else the stack's fields. */
    public MeshConfig of(CheckContext ctx, ResourceDecl decl, JsonNode spec) {
        StackContext stack = StackContext.of(ctx.stack());
        if (!install.mayRun(spec, stack.baseDirectory())) {
            return unrendered(decl, spec, "the command line does not allow the istioctl the stack names");
        }
        try {
            install.checkVersion(stack, decl.address(), spec);
            String version = install.istioctl(stack, decl.address(), spec).version();
            Optional<ObjectNode> mesh = install.withRunKey(stack, decl.address(), spec, (istioctl, file, runKey) -> {
                Path dir = istioctl.cacheDirectory().orElse(null);
                Optional<ObjectNode> kept = runKey.flatMap(k -> kept(dir, k));
                if (kept.isPresent()) {
                    return kept;
                }
                Optional<ObjectNode> found = fromRender(InstallRender.render(istioctl, decl.address(), file, runKey,
                        InstallRender.messages(stack, decl.address(), spec)).objects(),
                        Json.text(spec, "revision"));
                runKey.ifPresent(k -> found.ifPresent(m -> keep(dir, k, m)));
                return found;
            });
            return mesh.map(m -> new MeshConfig(m, "the mesh config istioctl " + version + " renders for " + decl.address()))
                    .orElseGet(() -> unrendered(decl, spec, "its render holds no istio ConfigMap"));
        } catch (DiagnosticsException e) {
            return unrendered(decl, spec, e.diagnostics().get(0).summary());
        } catch (RuntimeException e) {
            return unrendered(decl, spec, String.valueOf(e.getMessage()));
        }
    }

    /**
     * The {@code mesh} of the render's {@code istio} ConfigMap ({@code istio-<revision>}, as the istiod chart names it:
     * {@code istio{{- if not (eq .Values.revision "") }}-{{ .Values.revision }}{{- end }}}); empty when the render
     * installs no istiod (profile empty, pilot disabled).
     */
    static Optional<ObjectNode> fromRender(List<JsonNode> objects, String revision) {
        String name = revision == null || revision.isEmpty() ? "istio" : "istio-" + revision; // "default" too: istio-default
        for (JsonNode o : objects) {
            if ("ConfigMap".equals(Json.text(o, "kind")) && name.equals(Json.text(o.path("metadata"), "name"))
                    && o.path("data").path("mesh").isString()) {
                JsonNode mesh = Yaml.MAPPER.readTree(o.path("data").path("mesh").asString());
                return Optional.of(mesh != null && mesh.isObject() ? (ObjectNode) mesh : Json.object());
            }
        }
        return Optional.empty();
    }

    private static Optional<ObjectNode> kept(Path dir, String runKey) {
        try {
            return CacheFiles.read(dir, PREFIX + runKey + SUFFIX).map(Json.MAPPER::readTree)
                    .filter(JsonNode::isObject).map(n -> (ObjectNode) n);
        } catch (JacksonException | IllegalArgumentException e) {
            return Optional.empty(); // not ours or unreadable: take it from the render again
        }
    }

    /** Best effort, as {@link RenderMemo}'s: a mesh config not kept is taken from the render next time. */
    private static void keep(Path dir, String runKey, ObjectNode mesh) {
        try {
            CacheFiles.write(dir, PREFIX + runKey + SUFFIX, Json.MAPPER.writeValueAsString(mesh),
                    n -> n.startsWith(PREFIX) && n.endsWith(SUFFIX), RenderMemo.KEEP);
        } catch (IOException | JacksonException e) {
            // best effort
        }
    }
}

package io.meshform.providers.istio.install;

import io.meshform.providers.istio.core.CacheFiles;
import io.meshform.providers.kubernetes.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * istioctl's render of an install, parsed once: {@code manifest generate} prints about 1 MB of YAML, and parsing it
 * (with the digest over its canonical objects) took about 0.6 s of CPU in every plan of a stack with an install,
 * the largest single cost of a no-op plan of cortex-production after the JVM's start. The parsed objects and the
 * digest are kept as JSON (read in a few tens of ms) beside istioctl's remembered answers, named by the SHA-256 of
 * the YAML they came from, so a different render can never be answered with them. A kept file is written only when
 * it reads back equal to what the YAML gave, so the plan is the same either way; the newest {@value #KEEP} are kept,
 * and one is read only when this user kept it ({@code CacheFiles.read}).
 */
final class RenderMemo {
    static final int KEEP = 8;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PREFIX = "render-";
    /** Renders kept under the istioctl run's key rather than the YAML's digest (both are "render-" files, kept together). */
    private static final String RUN_PREFIX = PREFIX + "run-";
    private static final String SUFFIX = ".json";

    private RenderMemo() {
    }

    /** The render of {@code yaml}: from {@code dir} when it was parsed before, else parsed (and kept there). */
    static RenderDiff.Render parse(String yaml, Path dir) {
        if (dir == null) {
            return RenderDiff.parseRender(yaml);
        }
        Path file = dir.resolve(PREFIX + Json.sha256(yaml) + SUFFIX);
        RenderDiff.Render kept = read(file);
        if (kept != null) {
            return kept;
        }
        RenderDiff.Render parsed = RenderDiff.parseRender(yaml);
        write(file, parsed);
        return parsed;
    }

    /**
     * The render kept under the key of the istioctl run that printed it ({@link
     * io.meshform.providers.istio.core.Istioctl#offlineKey}), found without reading istioctl's 1 MB answer or hashing
     * it: that read and the SHA-256 over it (in C1-compiled code) were a quarter of the install's plan, the last
     * thing a no-op plan of cortex-production waited for (BENCHMARKS.md, issue 18, midday session). The key covers
     * what decides the answer (binary, arguments, inputs, configuration), so the same key is the same render.
     */
    static Optional<RenderDiff.Render> kept(Path dir, String runKey) {
        return Optional.ofNullable(read(dir.resolve(RUN_PREFIX + runKey + SUFFIX)));
    }

    /** The render of {@code yaml}, printed by the istioctl run keyed {@code runKey}: parsed, and kept under that key. */
    static RenderDiff.Render parse(String yaml, Path dir, String runKey) {
        RenderDiff.Render parsed = RenderDiff.parseRender(yaml);
        write(dir.resolve(RUN_PREFIX + runKey + SUFFIX), parsed);
        return parsed;
    }

    private static RenderDiff.Render read(Path file) {
        try {
            // CacheFiles.read: only a file this user kept, as for istioctl's remembered answers beside it
            return CacheFiles.read(file.getParent(), file.getFileName().toString()).map(text -> fromJson(JSON.readTree(text)))
                    .orElse(null);
        } catch (JacksonException | IllegalArgumentException e) {
            return null; // unreadable or not ours: parse the YAML again
        }
    }

    static RenderDiff.Render fromJson(JsonNode root) {
        JsonNode digest = root.path("digest");
        JsonNode objects = root.path("objects");
        if (!digest.isString() || !objects.isArray()) {
            throw new IllegalArgumentException("not a kept render");
        }
        List<JsonNode> list = new ArrayList<>();
        objects.forEach(list::add);
        return new RenderDiff.Render(list, digest.asString());
    }

    static String toJson(RenderDiff.Render render) {
        ObjectNode root = JSON.createObjectNode();
        root.put("digest", render.digest());
        ArrayNode objects = root.putArray("objects");
        render.objects().forEach(o -> objects.add(o.deepCopy()));
        return JSON.writeValueAsString(root);
    }

    /** Best effort: a render that cannot be kept (or would not read back the same) is parsed again next time. */
    private static void write(Path file, RenderDiff.Render render) {
        try {
            String text = toJson(render);
            RenderDiff.Render back = fromJson(JSON.readTree(text));
            if (!back.equals(render)) {
                return; // a value JSON cannot carry as YAML gave it: never answer with something else
            }
            CacheFiles.write(file.getParent(), file.getFileName().toString(), text,
                    n -> n.startsWith(PREFIX) && n.endsWith(SUFFIX), KEEP);
        } catch (IOException | JacksonException | UnsupportedOperationException | IllegalArgumentException e) {
            // best effort
        }
    }
}

package io.meshform.providers.istio.install;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.plan.SensitiveMessage;
import io.meshform.engine.spi.StackContext;
import io.meshform.providers.istio.core.Istioctl;
import io.meshform.providers.kubernetes.KubeErrors;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * {@code istioctl manifest generate} of an install's IstioOperator: run offline (no cluster flags), so a second plan
 * of the same spec with the same istioctl is answered from istioctl's remembered answers and the parsed render kept
 * beside them ({@link RenderMemo}), and what is derived from a render can be kept under the same run key
 * ({@link RenderedMesh}). A spec that holds a sensitive value is rendered afresh every run and nothing of it is kept
 * ({@link #sensitive}): the render quotes the meshConfig and values, and the kept answers outlive the run in clear.
 */
final class InstallRender {
    private InstallRender() {
    }

    /**
     * What to do with the spec's {@code manifest generate} run: the istioctl that renders it, its IstioOperator file
     * (deleted afterwards) and the key its answer is kept under (empty when answers are not kept).
     */
    interface RenderRun<T> {
        T apply(Istioctl istioctl, Path file, Optional<String> runKey);
    }

    /**
     * Whether {@code spec} holds a value meshform keeps out of what it writes: one a sensitive variable gave (its
     * declaration's {@code sensitivePaths}; every {@code MESHFORM_VAR_*} value unless the runner lists it as not
     * sensitive), or the digest of one (a spec as the state recorded it: a digest of a weak secret can be guessed).
     */
    static boolean sensitive(StackContext context, ResourceAddress address, JsonNode spec) {
        boolean declared = context.stack().find(address).map(d -> !d.sensitivePaths().isEmpty()).orElse(false);
        return declared || !io.meshform.engine.plan.Sensitive.digestPaths(spec).isEmpty();
    }

    /**
     * What istioctl's messages about {@code spec} must not show: the values its declaration's sensitive variables
     * gave ({@link SensitiveMessage}: a parse error quotes a part of the value it refused).
     */
    static SensitiveMessage messages(StackContext context, ResourceAddress address, JsonNode spec) {
        return SensitiveMessage.of(spec, context.stack().find(address).map(d -> d.sensitivePaths()).orElse(java.util.Set.of()));
    }

    static <T> T run(JsonNode spec, Istioctl istioctl, RenderRun<T> run) {
        Path file = InstallSpec.writeOperator(spec, istioctl.runDirectory());
        try {
            Optional<String> runKey = istioctl.cacheDirectory().isEmpty() ? Optional.empty()
                    : istioctl.offlineKey(args(file), List.of(file));
            return run.apply(istioctl, file, runKey);
        } finally {
            InstallSpec.deleteQuietly(file);
        }
    }

    private static List<String> args(Path file) {
        return List.of("manifest", "generate", "-f", file.toString());
    }

    /** The render: kept under {@code runKey} when it was parsed before, else istioctl's answer parsed (and kept). */
    static RenderDiff.Render render(Istioctl istioctl, ResourceAddress address, Path file, Optional<String> runKey,
            SensitiveMessage messages) {
        Path dir = istioctl.cacheDirectory().orElse(null);
        if (runKey.isPresent()) {
            Optional<RenderDiff.Render> kept = RenderMemo.kept(dir, runKey.get());
            if (kept.isPresent()) {
                return kept.get();
            }
        }
        Istioctl.Result r = istioctl.runOffline(args(file), List.of(file), Duration.ofMinutes(2));
        if (r.exit() != 0) {
            throw KubeErrors.error(address + ": istioctl manifest generate failed (exit " + r.exit() + ")",
                    messages.redact("istioctl", r.tail(15)));
        }
        return runKey.isPresent() ? RenderMemo.parse(r.out(), dir, runKey.get()) : RenderMemo.parse(r.out(), dir);
    }
}

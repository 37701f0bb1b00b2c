package io.meshform.providers.istio.checks;

import static io.meshform.providers.istio.checks.CheckSupport.after;
import static io.meshform.providers.istio.checks.CheckSupport.range;

import io.meshform.providers.istio.injection.LivePod;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.PlanCheck;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.istio.injection.ProxySkew;
import io.meshform.providers.kubernetes.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;

/**
 * The safety check: per declared install, the workloads whose sidecars would run a release Istio does not support
 * with its {@code version} (the expected one-release lag during an upgrade is a plan detail instead, see
 * {@link #planDetails}).
 */
public final class ProxyVersionSkew implements PlanCheck, ReadsInstall {
    private final java.util.function.Function<CheckContext, List<LivePod>> pods;

    ProxyVersionSkew(java.util.function.Function<CheckContext, List<LivePod>> pods) {
        this.pods = pods;
    }

    @Override
    public String name() {
        return "proxy-version-skew";
    }

    @Override
    public List<Diagnostic> check(CheckContext ctx) {
        return findings(ctx, () -> pods.apply(ctx));
    }
    public static List<Diagnostic> findings(CheckContext ctx, Supplier<List<LivePod>> pods) {
        List<Diagnostic> out = new ArrayList<>();
        List<ResourceDecl> installs = ctx.declared(Mesh.INSTALL_TYPE);
        if (installs.isEmpty()) {
            return out;
        }
        List<LivePod> all = pods.get();
        for (ResourceDecl d : installs) {
            JsonNode spec = after(ctx, d);
            String version = Json.text(spec, "version");
            String revision = Json.text(spec, "revision", "default");
            Map<String, TreeSet<String>> bad = new TreeMap<>(ProxySkew.lagging(all, revision, version));
            bad.keySet().removeIf(tag -> !ProxySkew.unsupported(tag, version));
            if (bad.isEmpty()) {
                continue;
            }
            int count = bad.values().stream().mapToInt(TreeSet::size).sum();
            StringBuilder detail = new StringBuilder();
            bad.forEach((tag, workloads) -> detail.append("proxy ").append(tag).append(": ")
                    .append(String.join(", ", workloads)).append('\n'));
            detail.append("Istio supports sidecars at most one minor release older than istiod, never newer: restart"
                    + " these workloads (restartWorkloads on their namespace's labels, or kubectl rollout restart) first,"
                    + " or upgrade one minor release at a time");
            out.add(Diagnostic.warning(d.address() + ": " + count + " workload(s) of revision " + revision
                    + " run a sidecar that Istio does not support with " + version, detail.toString(),
                    range(d, "/spec/version")));
        }
        return out;
    }

    /** The release and revision the skew is judged against: a digest is neither a release nor a control plane's revision. */
    /** Proxies older than their control plane may misbehave; the check judges no policy. */
    @Override
    public Concern concern(io.meshform.engine.diag.Diagnostic finding) {
        return Concern.DEGRADES;
    }

    @Override
    public java.util.Set<String> installFields() {
        return java.util.Set.of("/version", "/revision");
    }
}

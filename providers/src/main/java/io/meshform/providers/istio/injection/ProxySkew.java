package io.meshform.providers.istio;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.providers.kubernetes.injection.Sidecars;
import io.meshform.providers.kubernetes.injection.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;

/**
 * Sidecars older than the control plane they belong to. An upgrade replaces istiod at once, but each pod keeps
 * the proxy it was injected with until it restarts; Istio supports proxies one minor release behind istiod, so a
 * wider gap is an error in the making, and any gap is work left over from an upgrade.
 */
final class ProxySkew {
    /** Istio puts this label on every pod it injects, so one LIST with it finds the data plane and nothing else. */
    static final String INJECTED_LABEL = "security.istio.io/tlsMode";

    private ProxySkew() {
    }

    /** The injected pods of the cluster (one labelled LIST); empty when they cannot be read. */
    static List<Pod> injectedPods(KubeConnection kube) {
        try {
            return kube.client().pods().inAnyNamespace().withLabel(INJECTED_LABEL, "istio").list().getItems();
        } catch (KubernetesClientException e) {
            return List.of();
        }
    }

    /** The running injected pods of {@code revision} (by their {@code istio.io/rev}), with their proxy image's tag. */
    private static Map<Pod, String> proxies(List<Pod> pods, String revision) {
        Map<Pod, String> out = new java.util.LinkedHashMap<>();
        for (Pod p : pods) {
            String tag = Sidecars.proxyImage(p).map(ProxySkew::tagOf).orElse(null);
            if (tag != null && revision.equals(Sidecars.revisionOf(p)) && !Sidecars.finished(p)) {
                out.put(p, tag);
            }
        }
        return out;
    }

    /** Workloads (or bare pods) of {@code revision} whose sidecar is of another minor release than {@code version}, by proxy tag. */
    static Map<String, TreeSet<String>> lagging(List<Pod> pods, String revision, String version) {
        Map<String, TreeSet<String>> byProxy = new TreeMap<>();
        proxies(pods, revision).forEach((p, tag) -> {
            if (IstioRelease.parse(tag).isPresent() && IstioRelease.parse(version).isPresent()
                    && !IstioRelease.sameMinor(tag, version)) {
                String who = Sidecars.workloadOf(p).map(Workload::describe)
                        .orElse("Pod " + p.getMetadata().getNamespace() + "/" + p.getMetadata().getName());
                byProxy.computeIfAbsent(tag, k -> new TreeSet<>()).add(who);
            }
        });
        return byProxy;
    }

    /** True when Istio does not support a proxy of {@code tag} under istiod {@code version}: older by more than one minor, or newer. */
    static boolean unsupported(String tag, String version) {
        var have = IstioRelease.parse(tag);
        var want = IstioRelease.parse(version);
        return have.isPresent() && want.isPresent() && (have.get().major() != want.get().major()
                || want.get().minor() - have.get().minor() > 1 || have.get().minor() > want.get().minor());
    }

    /**
     * The safety check: per declared install, the workloads whose sidecars would run a release Istio does not support
     * with its {@code version} (the expected one-release lag during an upgrade is a plan detail instead, see
     * {@link #planDetails}).
     */
    static List<Diagnostic> check(CheckContext ctx, Supplier<List<Pod>> pods) {
        List<Diagnostic> out = new ArrayList<>();
        List<ResourceDecl> installs = ctx.declared(IstioInstallType.NAME);
        if (installs.isEmpty()) {
            return out;
        }
        List<Pod> all = pods.get();
        for (ResourceDecl d : installs) {
            JsonNode spec = MeshChecks.after(ctx, d);
            String version = Json.text(spec, "version");
            String revision = Json.text(spec, "revision", "default");
            Map<String, TreeSet<String>> bad = new TreeMap<>(lagging(all, revision, version));
            bad.keySet().removeIf(tag -> !unsupported(tag, version));
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
                    MeshChecks.range(d, "/spec/version")));
        }
        return out;
    }

    /** Plan detail lines for an upgrade: which workloads keep the old proxy until they restart. */
    static List<io.meshform.engine.spi.PlanDetail> planDetails(List<Pod> pods, String revision, String version) {
        List<io.meshform.engine.spi.PlanDetail> out = new ArrayList<>();
        lagging(pods, revision, version).forEach((tag, workloads) -> out.add(io.meshform.engine.spi.PlanDetail.note(
                "data plane: " + workloads.size() + " workload(s) keep proxy " + tag + " until they restart"
                        + " (restartWorkloads, or kubectl rollout restart): " + String.join(", ", workloads))));
        return out;
    }

    /** Workloads to restart for a new proxy, and injected pods no workload owns (a restart cannot reach them). */
    record Outdated(List<Workload> workloads, List<String> unowned) {
    }

    /** The pods of {@code revision} whose sidecar is not the {@code tag} just installed (any difference, patch releases too). */
    static Outdated outdated(List<Pod> pods, String revision, String tag) {
        TreeSet<Workload> owned = new TreeSet<>();
        List<String> bare = new ArrayList<>();
        proxies(pods, revision).forEach((p, have) -> {
            if (!have.equals(tag)) {
                Sidecars.workloadOf(p).ifPresentOrElse(owned::add,
                        () -> bare.add(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName()));
            }
        });
        return new Outdated(List.copyOf(owned), bare);
    }

    /** "1.30.3" from "docker.io/istio/proxyv2:1.30.3" (or "...:1.30.3-distroless"); null when there is no tag. */
    static String tagOf(String image) {
        if (image == null) {
            return null;
        }
        int at = image.indexOf('@');
        String ref = at >= 0 ? image.substring(0, at) : image;
        int colon = ref.lastIndexOf(':');
        return colon > ref.lastIndexOf('/') && colon >= 0 ? ref.substring(colon + 1) : null;
    }
}

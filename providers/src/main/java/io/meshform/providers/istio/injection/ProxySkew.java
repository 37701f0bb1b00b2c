package io.meshform.providers.istio.injection;

import io.meshform.providers.istio.checks.MeshChecks;
import io.meshform.providers.istio.core.IstioRelease;
import io.meshform.providers.istio.install.IstioInstallType;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.providers.kubernetes.RawReads;
import io.meshform.providers.istio.injection.Sidecars;
import io.meshform.providers.istio.injection.Workload;
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
public final class ProxySkew {
    /** Istio puts this label on every pod it injects, so one LIST with it finds the data plane and nothing else. */
    public static final String INJECTED_LABEL = "security.istio.io/tlsMode";

    private ProxySkew() {
    }

    /** The injected pods of the cluster (one labelled LIST); empty when they cannot be read. */
    public static List<LivePod> injectedPods(KubeConnection kube) {
        try {
            return RawReads.list(kube.client(), RawReads.withLabel("/api/v1/pods", INJECTED_LABEL, "istio")).stream().map(LivePod::of).toList();
        } catch (KubernetesClientException e) {
            return List.of();
        }
    }

    /**
     * The injected pods among {@code pods}: those {@link #injectedPods} lists, found in a LIST of every pod that the
     * run has read anyway (the mesh checks' one LIST), so the checks need no second one.
     */
    public static List<LivePod> injected(List<LivePod> pods) {
        return pods.stream().filter(p -> "istio".equals(p.labels().get(INJECTED_LABEL))).toList();
    }

    /** The running injected pods of {@code revision} ({@link Sidecars#revisionOf}), with their proxy image's tag. */
    private static Map<LivePod, String> proxies(List<LivePod> pods, String revision) {
        Map<LivePod, String> out = new java.util.LinkedHashMap<>();
        for (LivePod p : pods) {
            String tag = Sidecars.proxyImage(p).map(ProxySkew::tagOf).orElse(null);
            if (tag != null && revision.equals(Sidecars.revisionOf(p)) && !Sidecars.finished(p)) {
                out.put(p, tag);
            }
        }
        return out;
    }

    /** Workloads (or bare pods) of {@code revision} whose sidecar is of another minor release than {@code version}, by proxy tag. */
    public static Map<String, TreeSet<String>> lagging(List<LivePod> pods, String revision, String version) {
        Map<String, TreeSet<String>> byProxy = new TreeMap<>();
        proxies(pods, revision).forEach((p, tag) -> {
            if (IstioRelease.parse(tag).isPresent() && IstioRelease.parse(version).isPresent()
                    && !IstioRelease.sameMinor(tag, version)) {
                String who = Sidecars.workloadOf(p).map(Workload::describe)
                        .orElse("Pod " + p.id());
                byProxy.computeIfAbsent(tag, k -> new TreeSet<>()).add(who);
            }
        });
        return byProxy;
    }

    /** True when Istio does not support a proxy of {@code tag} under istiod {@code version}: older by more than one minor, or newer. */
    public static boolean unsupported(String tag, String version) {
        var have = IstioRelease.parse(tag);
        var want = IstioRelease.parse(version);
        return have.isPresent() && want.isPresent() && (have.get().major() != want.get().major()
                || want.get().minor() - have.get().minor() > 1 || have.get().minor() > want.get().minor());
    }

    /** Plan detail lines for an upgrade: which workloads keep the old proxy until they restart. */
    public static List<io.meshform.engine.spi.PlanDetail> planDetails(List<LivePod> pods, String revision, String version) {
        List<io.meshform.engine.spi.PlanDetail> out = new ArrayList<>();
        lagging(pods, revision, version).forEach((tag, workloads) -> out.add(io.meshform.engine.spi.PlanDetail.note(
                "data plane: " + workloads.size() + " workload(s) keep proxy " + tag + " until they restart"
                        + " (restartWorkloads, or kubectl rollout restart): " + String.join(", ", workloads))));
        return out;
    }

    /** Workloads to restart for a new proxy, and injected pods no workload owns (a restart cannot reach them). */
    public record Outdated(List<Workload> workloads, List<String> unowned) {
    }

    /** The pods of {@code revision} whose sidecar is not the {@code tag} just installed (any difference, patch releases too). */
    public static Outdated outdated(List<LivePod> pods, String revision, String tag) {
        TreeSet<Workload> owned = new TreeSet<>();
        List<String> bare = new ArrayList<>();
        proxies(pods, revision).forEach((p, have) -> {
            if (!have.equals(tag)) {
                Sidecars.workloadOf(p).ifPresentOrElse(owned::add,
                        () -> bare.add(p.id()));
            }
        });
        return new Outdated(List.copyOf(owned), bare);
    }

    /** "1.30.3" from "docker.io/istio/proxyv2:1.30.3" (or "...:1.30.3-distroless"); null when there is no tag. */
    public static String tagOf(String image) {
        if (image == null) {
            return null;
        }
        int at = image.indexOf('@');
        String ref = at >= 0 ? image.substring(0, at) : image;
        int colon = ref.lastIndexOf(':');
        return colon > ref.lastIndexOf('/') && colon >= 0 ? ref.substring(colon + 1) : null;
    }
}

package io.meshform.providers.istio.install;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.providers.istio.core.IstioRelease;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.providers.kubernetes.KubeErrors;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Which moves between releases Istio supports: the cluster's Kubernetes against the release's supported range
 * ({@link KubernetesSupport}), and in-place upgrades one minor release at a time.
 */
public final class UpgradePolicy {
    private final KubeConnection kube;

    UpgradePolicy(KubeConnection kube) {
        this.kube = kube;
    }

    /**
     * Warns when the cluster's Kubernetes is older than the Istio release supports (istioctl install only warns there
     * too, {@link KubernetesSupport}) or newer than tested. One request ({@code GET /version}); a server that refuses
     * it gets a warning, not a failure.
     */
    void checkKubernetes(ResourceAddress address, JsonNode spec, List<String> warnings) {
        String istio = Json.text(spec, "version");
        VersionInfo server;
        try {
            server = kube.client().getKubernetesVersion();
        } catch (KubernetesClientException e) {
            if (!KubeErrors.answered(e)) {
                throw kube.explain(address.toString(), "read", "the Kubernetes version", e);
            }
            warnings.add("could not read the Kubernetes version (" + KubeErrors.serverSays(e)
                    + "); the check against Istio " + istio + "'s supported range was skipped, and istioctl install"
                    + " stops when it cannot read it either (operator/cmd/mesh/install.go)");
            return;
        }
        KubernetesSupport.judge(istio, server.getMajor(), server.getMinor()).ifPresent(warnings::add);
    }

    /**
     * Istio supports in-place upgrades one minor release at a time and downgrades one back; anything else works
     * on paper and breaks proxies. Warnings, so --strict refuses them; a canary revision is the way round.
     */
    static List<String> upgradePath(String running, String wanted) {
        var r = IstioRelease.parse(running);
        var w = IstioRelease.parse(wanted);
        if (r.isEmpty() || w.isEmpty() || r.get().major() != w.get().major()) {
            return List.of();
        }
        int from = r.get().minor();
        int to = w.get().minor();
        String canary = "; install " + wanted + " beside it as a canary (`revision`) and move namespaces over instead";
        if (to > from + 1) {
            return List.of("in-place upgrade from " + running + " to " + wanted + " skips " + (to - from - 1)
                    + " minor release(s); Istio supports in-place upgrades one minor release at a time: upgrade through "
                    + r.get().major() + "." + (from + 1) + " first" + canary);
        }
        if (to < from) {
            return List.of("in-place downgrade from " + running + " to " + wanted + (to < from - 1
                    ? ": Istio supports downgrading only one minor release back" + canary
                    : ": Istio supports it only back to the release you upgraded from; CRDs of " + running + " stay installed"));
        }
        return List.of();
    }
}

package io.meshform.providers.istio.install;

import io.meshform.providers.istio.install.IstioAddons.Addon;
import io.meshform.providers.kubernetes.Json;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * What state records of an install beside its spec (the resource's metadata): the digests of istioctl's render and
 * of the addons, the addon objects applied, the istioctl release and the revision. A plan compares a new render with
 * these to say what changed.
 */
public final class InstallRecord {
    private InstallRecord() {
    }

    /** The digest of istioctl's render alone, recorded beside the combined one so a plan can say which part changed. */
    static final String ISTIO_DIGEST = "istioDigest";

    static final String ADDONS_DIGEST = "addonsDigest";

    /**
     * "rendered manifests changed", "addons changed", or both, from the digests recorded at the last apply (a state
     * from before these were recorded counts as a render change).
     */
    static String whatChanged(Map<String, String> recorded, RenderDiff.Render render, Map<Addon, List<ObjectNode>> wanted) {
        String istio = recorded.get(ISTIO_DIGEST);
        boolean renderChanged = istio == null || !istio.equals(render.digest());
        boolean addonsChanged = istio != null && !recorded.getOrDefault(ADDONS_DIGEST, "").equals(addonsDigest(wanted));
        return renderChanged && addonsChanged ? "rendered manifests and addons changed"
                : addonsChanged ? "addons changed" : "rendered manifests changed";
    }

    static String addonsDigest(Map<Addon, List<ObjectNode>> wanted) {
        return wanted.isEmpty() ? "" : IstioAddons.digest(wanted);
    }

    /** The render digest, with the addon objects folded in when there are any (so a changed sample file plans an update). */
    static String digest(RenderDiff.Render render, Map<Addon, List<ObjectNode>> wanted) {
        return wanted.isEmpty() ? render.digest() : "sha256:" + Json.sha256(render.digest() + "\n" + IstioAddons.digest(wanted));
    }
}

package io.meshform.providers.istio.install;

import io.meshform.providers.istio.install.IstioAddons.Addon;
import io.meshform.providers.istio.install.IstioAddons.AddonObject;
import io.meshform.providers.kubernetes.Json;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.node.ObjectNode;

/**
 * What state records of an install beside its spec (the resource's metadata), typed: the digests of istioctl's render
 * and of the addons, the addon objects applied, the istioctl release, the revision and the field manager. A plan
 * compares a new render with it to say what changed; {@link #toMetadata()} and {@link #of(Map)} are the only places
 * that know the keys.
 *
 * @param renderDigest    the render and the addons together: any change to either plans an update
 * @param istioDigest     istioctl's render alone, so a plan can say which part changed (null in states from before)
 * @param addonsDigest    the addon objects alone; empty when none are applied
 * @param addonObjects    the addon objects applied, so a later apply or destroy removes what is no longer wanted
 */
public record InstallRecord(String renderDigest, String istioDigest, String addonsDigest, List<AddonObject> addonObjects,
                            String istioctlVersion, String revision, String fieldManager) {
    static final String RENDER_DIGEST = "renderDigest";
    static final String ISTIO_DIGEST = "istioDigest";
    static final String ADDONS_DIGEST = "addonsDigest";
    static final String ADDON_OBJECTS = "addonObjects";
    static final String ISTIOCTL_VERSION = "istioctlVersion";
    static final String REVISION = "revision";
    static final String FIELD_MANAGER = "fieldManager";

    public InstallRecord {
        addonsDigest = addonsDigest == null ? "" : addonsDigest;
        addonObjects = addonObjects == null ? List.of() : List.copyOf(addonObjects);
    }

    /** The record of an apply: the render and the addons it applied, with the istioctl that rendered them. */
    static InstallRecord applied(String renderDigest, String istioDigest, Map<Addon, List<ObjectNode>> wanted,
                                 String istioctlVersion, String revision, String fieldManager) {
        return new InstallRecord(renderDigest, istioDigest, addonsDigest(wanted), IstioAddons.objects(wanted),
                istioctlVersion, revision, fieldManager);
    }

    /** Reads a recorded resource's metadata; every field is absent (null, or empty) in a state that lacks it. */
    static InstallRecord of(Map<String, String> metadata) {
        Map<String, String> m = metadata == null ? Map.of() : metadata;
        return new InstallRecord(m.get(RENDER_DIGEST), m.get(ISTIO_DIGEST), m.get(ADDONS_DIGEST), IstioAddons.decode(m.get(ADDON_OBJECTS)),
                m.get(ISTIOCTL_VERSION), m.get(REVISION), m.get(FIELD_MANAGER));
    }

    /** The metadata to record; addon entries only when addons were applied. */
    Map<String, String> toMetadata() {
        Map<String, String> meta = new TreeMap<>();
        if (!addonObjects.isEmpty()) {
            meta.put(ADDON_OBJECTS, String.join(",", addonObjects.stream().map(AddonObject::encode).toList()));
            meta.put(ADDONS_DIGEST, addonsDigest);
        }
        meta.put(ISTIOCTL_VERSION, istioctlVersion);
        meta.put(RENDER_DIGEST, renderDigest);
        meta.put(ISTIO_DIGEST, istioDigest);
        meta.put(REVISION, revision);
        meta.put(FIELD_MANAGER, fieldManager);
        return meta;
    }

    /**
     * "rendered manifests changed", "addons changed", or both, against a new render and addons (a state from before
     * the render's own digest was recorded counts as a render change).
     */
    String whatChanged(RenderDiff.Render render, Map<Addon, List<ObjectNode>> wanted) {
        boolean renderChanged = istioDigest == null || !istioDigest.equals(render.digest());
        boolean addonsChanged = istioDigest != null && !addonsDigest.equals(addonsDigest(wanted));
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

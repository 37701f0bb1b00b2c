package io.meshform.providers.istio.install;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.ResourceRef;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.providers.kubernetes.KubeErrors;
import io.meshform.providers.kubernetes.LineageMark;
import io.meshform.providers.kubernetes.RawReads;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code istio.install} resources as the cluster has them, for {@link IstioInstallType#read}: each one's istiod
 * Deployment, the version it runs, and whose it is (meshform's mark on istiod, or the intent written before an
 * install that was cut short: {@link IstiodMark}).
 */
final class LiveInstalls {
    private final KubeConnection kube;
    private final IstiodMark istiodMark;

    LiveInstalls(KubeConnection kube, IstiodMark istiodMark) {
        this.kube = kube;
        this.istiodMark = istiodMark;
    }

    /**
     * The istiod Deployment of the revision: one LIST of istiod Deployments in istio-system for all installs, read as
     * JSON ({@link RawReads}: a typed Deployment would build the whole Pod template model for a name, labels and an
     * image).
     */
    Map<ResourceAddress, LiveObject> read(List<ResourceRef> resources) {
        List<JsonNode> istiods;
        try {
            istiods = RawReads.list(kube.client(), RawReads.withLabel("/apis/apps/v1/namespaces/" + Mesh.ISTIO_NAMESPACE + "/deployments",
                    "app", "istiod"));
        } catch (KubernetesClientException e) {
            if (KubeErrors.notFound(e)) {
                return Map.of();
            }
            throw kube.explain(IstioInstallType.NAME, "list", "istiod Deployments in " + Mesh.ISTIO_NAMESPACE, e);
        }
        Map<ResourceAddress, LiveObject> out = new LinkedHashMap<>();
        for (ResourceRef ref : resources) {
            String want = InstallSpec.istiodName(ref.spec());
            for (JsonNode d : istiods) {
                JsonNode md = d.path("metadata");
                // A terminating istiod (an uninstall under way) is no install to compare with.
                if (want.equals(Json.text(md, "name")) && Json.text(md, "deletionTimestamp") == null) {
                    ObjectNode value = Json.copy(ref.spec());
                    String v = liveVersion(d);
                    if (v != null) {
                        value.put("version", v);
                    }
                    String object = "Istio control plane " + Mesh.ISTIO_NAMESPACE + "/" + want;
                    var ownership = LineageMark.of(d, kube.fieldManager(), object, null);
                    if (ownership.lineage() == null) {
                        // An install cut short after istioctl made istiod, before meshform marked it: its intent says whose.
                        var intent = istiodMark.intent(want);
                        if (intent != null) {
                            ownership = LineageMark.of(intent, kube.fieldManager(), object, null)
                                    .withKey(Json.text(md, "uid"));  // istiod is the object, whichever mark says whose
                        }
                    }
                    out.put(ref.address(), new LiveObject(value, Json.text(md, "resourceVersion")).withOwnership(ownership));
                }
            }
        }
        return out;
    }

    /** The version a Deployment (as JSON) runs: its version labels, else its first container's image tag. */
    static String liveVersion(JsonNode d) {
        Map<String, String> labels = Json.stringMap(d.path("metadata").get("labels"));
        for (String k : List.of("operator.istio.io/version", "app.kubernetes.io/version")) {
            if (labels.containsKey(k)) {
                return labels.get(k);
            }
        }
        JsonNode containers = d.path("spec").path("template").path("spec").path("containers");
        if (!containers.isEmpty() && Json.text(containers.get(0), "image") != null) {
            String image = Json.text(containers.get(0), "image");
            int colon = image.lastIndexOf(':');
            return colon > 0 ? image.substring(colon + 1) : null;
        }
        return null;
    }
}

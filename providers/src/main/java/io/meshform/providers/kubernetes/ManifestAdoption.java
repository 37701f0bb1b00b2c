package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.spi.AppliedResource;
import io.meshform.engine.spi.ApplyRequest;
import io.meshform.engine.spi.DeleteRequest;
import io.meshform.engine.spi.StackContext;
import io.meshform.providers.kubernetes.KubeObjects.Target;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A {@code kubernetes.manifest} object taken under management ({@code meshform import}) and let go again (a destroy, or
 * an apply that drops it, without {@code --delete-adopted}: the object stays, unmarked): the adoption half of
 * {@link ManifestType}, apart from its plan and apply.
 */
final class ManifestAdoption {
    private final KubeConnection kube;
    private final DeclaredManifests manifests;

    ManifestAdoption(KubeConnection kube, DeclaredManifests manifests) {
        this.kube = kube;
        this.manifests = manifests;
    }

    /** The recorded manifest (kept in the state so a destroy works without the file) names the object. */
    static Optional<String> importId(JsonNode recorded) {
        JsonNode m = recorded.path("manifest");
        return Json.text(m.path("metadata"), "name") == null ? Optional.empty()
                : Optional.of(ManifestType.target(m).importId());
    }

    /**
     * Adopts the object the declared manifest names ({@code id} must name the same object): recorded as the live
     * object's values at the paths the manifest sets, so the next plan shows how the file and the object differ.
     */
    Optional<AppliedResource> importExisting(String id, JsonNode declared) {
        ObjectNode m = manifests.manifest(null, declared, StackContext.detached());
        Target t = ManifestType.target(m);
        if (!t.importId().equals(id)) {
            throw KubeErrors.error("cannot import `" + id + "`: this resource declares " + t.describe(),
                    "import it as " + t.importId());
        }
        HasMetadata live;
        try {
            live = KubeObjects.get(kube.client(), t);
        } catch (KubernetesClientException e) {
            throw kube.explain(ManifestType.NAME, "read", t.describe(), e);
        }
        if (live == null) {
            return Optional.empty();
        }
        ObjectNode attributes = Json.copy(declared);
        attributes.remove("file");
        attributes.set("manifest", Json.project(Json.toNode(live), m));
        Map<String, String> meta = new TreeMap<>();
        meta.put("uid", live.getMetadata().getUid());
        meta.put("resourceVersion", live.getMetadata().getResourceVersion());
        meta.put("fieldManager", kube.fieldManager());
        return Optional.of(new AppliedResource(attributes, meta));
    }

    /** The one write of an import: this state's mark on the object, nothing else ({@link LineageMark#write}). */
    void markImported(ApplyRequest request) {
        Target t = ManifestType.target(manifests.manifest(request.address(), request.desired(), request.context()));
        LineageMark.write(kube, KubeObjects.get(kube.client(), t), kube.fieldManager(), request.mark(), request.address().toString());
    }

    /** An adopted object leaves management: it stays, without meshform's mark. */
    void release(DeleteRequest request) {
        ObjectNode m = manifests.manifest(request.address(), request.recorded().attributes(), request.context());
        Target t = ManifestType.target(m);
        LineageMark.remove(kube, KubeObjects.get(kube.client(), t));
        request.progress().note(t.describe() + " was adopted: it stays in the cluster, no longer managed by meshform");
    }
}

package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.ReadRequest;
import io.meshform.engine.spi.ResourceRef;
import io.meshform.providers.kubernetes.KubeObjects.Target;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * How {@code kubernetes.manifest} reads its objects: one LIST per kind and namespace, in parallel, not a GET per
 * object, so a plan of many objects costs a few requests; a Secret by a GET of its own ({@link SecretGets}), so
 * reading it needs {@code get secrets}, not {@code list}. A kind the cluster does not serve yet reads as absent.
 */
final class ManifestReads {
    private final KubeConnection kube;
    private final DeclaredManifests declared;

    ManifestReads(KubeConnection kube, DeclaredManifests declared) {
        this.kube = kube;
        this.declared = declared;
    }

    Map<ResourceAddress, LiveObject> read(ReadRequest request) {
        Map<Target, List<ResourceRef>> groups = new LinkedHashMap<>();
        Map<ResourceAddress, ObjectNode> manifests = new HashMap<>();
        for (ResourceRef r : request.resources()) {
            ObjectNode m = declared.manifest(r.address(), r.spec(), request.context());
            manifests.put(r.address(), m);
            groups.computeIfAbsent(SecretGets.readKey(ManifestType.target(m)), k -> new ArrayList<>()).add(r);
        }
        Map<Target, Map<String, JsonNode>> listed = ParallelLists.each(groups.keySet(), collection -> {
            Map<String, JsonNode> byName = new HashMap<>();
            if (collection.name() != null) {  // a Secret: its one resource is named in the errors
                SecretGets.get(kube, groups.get(collection).get(0).address().toString(), collection)
                        .forEach(o -> byName.put(KubeObjects.nameOf(o), o));
                return byName;
            }
            try {
                KubeObjects.list(kube.client(), collection).forEach(o -> byName.put(KubeObjects.nameOf(o), o));
            } catch (KubernetesClientException e) {
                if (!KubeErrors.notFound(e) && !unknownKind(e)) {
                    throw kube.explain(ManifestType.NAME, "list", collection.kind() + " objects", e);
                }
            }
            return byName;
        });
        Map<ResourceAddress, LiveObject> out = new LinkedHashMap<>();
        for (Map.Entry<Target, List<ResourceRef>> g : groups.entrySet()) {
            Map<String, JsonNode> byName = listed.get(g.getKey());
            for (ResourceRef r : g.getValue()) {
                ObjectNode m = manifests.get(r.address());
                Target t = ManifestType.target(m);
                JsonNode live = byName.get(t.name());
                if (live != null) {
                    ObjectNode value = Json.copy(r.spec());
                    value.remove("file");
                    value.set("manifest", Json.project(live, m));
                    // what the plan needs of the object beyond the declared fields: whether its wait holds now
                    JsonNode wait = r.spec().get("wait");
                    Object seen = wait != null && wait.isObject() ? new ManifestWait.Seen(ManifestWait.of(wait).holds(live)) : null;
                    // and whether it is going: then its plan is a replacement, and no wait is owed on it
                    seen = BeingDeleted.of(live).<Object>map(d -> d).orElse(seen);
                    out.put(r.address(), new LiveObject(value, KubeObjects.resourceVersionOf(live), seen)
                            .withOwnership(LineageMark.of(live, kube.fieldManager(), t.describe(),
                                    t.importId())));
                }
            }
        }
        return out;
    }

    /** fabric8's discovery found no such kind ("Could not find the metadata ..." / "no registered handler"). */
    static boolean unknownKind(KubernetesClientException e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        return KubeErrors.code(e) <= 0 && KubeErrors.answered(e) && (m.contains("metadata") || m.contains("registered handler"));
    }
}

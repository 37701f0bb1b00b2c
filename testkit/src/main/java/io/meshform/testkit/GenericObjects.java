package io.meshform.testkit;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.Map;

/** Objects of any kind (Istio's custom resources, mostly) as tests write them: identity, labels and a spec. */
public final class GenericObjects {
    private GenericObjects() {
    }

    public static GenericKubernetesResource of(String apiVersion, String kind, String namespace, String name,
                                               Map<String, String> labels, Map<String, Object> spec) {
        var o = new GenericKubernetesResource();
        o.setApiVersion(apiVersion);
        o.setKind(kind);
        o.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).withLabels(labels).build());
        o.setAdditionalProperty("spec", spec);
        return o;
    }

    public static GenericKubernetesResource of(String apiVersion, String kind, String namespace, String name,
                                               Map<String, Object> spec) {
        return of(apiVersion, kind, namespace, name, Map.of(), spec);
    }
}

package io.meshform.providers.istio.install;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.spi.ApplyRequest;
import io.meshform.engine.spi.DeleteRequest;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.providers.kubernetes.KubeObjects;
import io.meshform.providers.kubernetes.LineageMark;
import java.util.TreeMap;

/**
 * istioctl makes the control plane, so meshform marks its istiod Deployment afterwards (annotations only, under
 * meshform's field manager): the next run then knows the install for its own, as for every object it applies, and an
 * install found without the mark is not taken over silently.
 */
final class IstiodMark {
    private final KubeConnection kube;

    IstiodMark(KubeConnection kube) {
        this.kube = kube;
    }

    void mark(ApplyRequest request) {
        if (request.mark().isEmpty()) {
            return;
        }
        String name = InstallSpec.istiodName(request.desired());
        var mark = new GenericKubernetesResourceBuilder().withApiVersion("apps/v1")
                .withKind("Deployment").withNewMetadata().withName(name).withNamespace(Mesh.ISTIO_NAMESPACE)
                .withAnnotations(new TreeMap<>(request.mark())).endMetadata().build();
        try {
            KubeObjects.apply(kube.client().resource(mark), kube.fieldManager(), false, false);
        } catch (KubernetesClientException e) {
            throw kube.explain(request.address().toString(), "mark", "Deployment " + Mesh.ISTIO_NAMESPACE + "/" + name, e);
        }
    }

    /** An adopted install leaves management: Istio keeps running, without meshform's mark on istiod. */
    void release(DeleteRequest request) {
        String name = InstallSpec.istiodName(request.recorded().attributes());
        LineageMark.remove(kube, kube.client().apps().deployments().inNamespace(Mesh.ISTIO_NAMESPACE).withName(name).get());
        request.progress().note("the Istio install was adopted: it keeps running, no longer managed by meshform");
    }
}

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
 *
 * <p>Between istioctl's start and that mark a run can die (kill -9, a lost node), leaving an istiod that nothing
 * marks. So before istioctl runs, meshform writes its intent: a ConfigMap {@code meshform-install-<istiod>} in the
 * Istio namespace carrying the same mark. An unmarked istiod with this state's intent beside it is the install this
 * state started, recognised by the next run (which finishes and marks it); the intent is removed once istiod is marked.
 */
final class IstiodMark {
    private final KubeConnection kube;

    IstiodMark(KubeConnection kube) {
        this.kube = kube;
    }

    static String intentName(String istiod) {
        return "meshform-install-" + istiod;
    }

    /** Before istioctl runs: the mark on an intent object, so an install cut short is still known as this state's. */
    void intend(ApplyRequest request) {
        if (request.mark().isEmpty()) {
            return;
        }
        String name = intentName(InstallSpec.istiodName(request.desired()));
        try {
            if (kube.client().namespaces().withName(Mesh.ISTIO_NAMESPACE).get() == null) {
                // istioctl would create it a moment later; the intent must exist before istiod does.
                kube.client().namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
                        .withName(Mesh.ISTIO_NAMESPACE).endMetadata().build()).create();
            }
            var intent = new GenericKubernetesResourceBuilder().withApiVersion("v1").withKind("ConfigMap")
                    .withNewMetadata().withName(name).withNamespace(Mesh.ISTIO_NAMESPACE)
                    .withAnnotations(new TreeMap<>(request.mark())).endMetadata().build();
            KubeObjects.apply(kube.client().resource(intent), kube.fieldManager(), false, false);
        } catch (KubernetesClientException e) {
            throw kube.explain(request.address().toString(), "record the intent to install", "ConfigMap "
                    + Mesh.ISTIO_NAMESPACE + "/" + name, e);
        }
    }

    /** The intent beside an istiod, or null. */
    io.fabric8.kubernetes.api.model.ConfigMap intent(String istiod) {
        return kube.client().configMaps().inNamespace(Mesh.ISTIO_NAMESPACE).withName(intentName(istiod)).get();
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
            kube.client().configMaps().inNamespace(Mesh.ISTIO_NAMESPACE).withName(intentName(name)).delete();
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

package io.meshform.providers.istio.injection;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

/** Pods as the API server returns them: owned by a ReplicaSet, StatefulSet or DaemonSet, or by nothing. */
final class Pods {
    private Pods() {
    }

    static PodBuilder pod(String ns, String name, String ownerKind, String ownerName, String hash) {
        PodBuilder b = new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().addToContainers(new ContainerBuilder().withName("app").withImage("app").build()).endSpec()
                .withNewStatus().withPhase("Running").endStatus();
        if (hash != null) {
            b.editMetadata().addToLabels("pod-template-hash", hash).endMetadata();
        }
        if (ownerKind != null) {
            b.editMetadata().addNewOwnerReference().withApiVersion("apps/v1").withKind(ownerKind).withName(ownerName)
                    .withUid("u-" + ownerName).withController(true).endOwnerReference().endMetadata();
        }
        return b;
    }

    /** A pod of Deployment {@code deployment} (through its ReplicaSet {@code deployment-7d9f}). */
    static Pod ofDeployment(String ns, String deployment, String suffix) {
        return pod(ns, deployment + "-7d9f-" + suffix, "ReplicaSet", deployment + "-7d9f", "7d9f").build();
    }

    static Pod withSidecar(Pod p) {
        return new PodBuilder(p).editSpec().addToContainers(new ContainerBuilder().withName("istio-proxy").build()).endSpec().build();
    }

    static Pod withNativeSidecar(Pod p, String restartPolicy) {
        return new PodBuilder(p).editSpec().addToInitContainers(new ContainerBuilder().withName("istio-proxy")
                .withRestartPolicy(restartPolicy).build()).endSpec().build();
    }
}

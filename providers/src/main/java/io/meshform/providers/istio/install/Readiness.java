package io.meshform.providers.istio.install;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.ProgressSink;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.providers.kubernetes.KubeErrors;
import java.time.Duration;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The wait after {@code istioctl install}: istioctl waits for Deployments only, but the resources planned after the
 * install need the policy CRDs served and istiod answering its webhooks.
 */
public final class Readiness {
    private final KubeConnection kube;

    Readiness(KubeConnection kube) {
        this.kube = kube;
    }

    /** The CRDs of the policy types, which resources after the install apply objects of. */
    static final List<String> POLICY_CRDS = List.of("peerauthentications.security.istio.io",
            "requestauthentications.security.istio.io", "authorizationpolicies.security.istio.io", "telemetries.telemetry.istio.io");

    /**
     * The policies applied after the install need their CRDs served and istiod answering its webhooks; istioctl's
     * readiness wait covers Deployments only. Waits, within the install's timeout, for each policy CRD the install
     * created to be Established and for istiod to be Available. A profile without them (remote, empty) waits for nothing.
     */
    void waitUntilReady(ResourceAddress address, JsonNode spec, Duration timeout, ProgressSink progress) {
        long deadline = System.nanoTime() + timeout.toNanos();
        var crds = kube.client().apiextensions().v1().customResourceDefinitions();
        for (String name : POLICY_CRDS) {
            waitFor(address, "CustomResourceDefinition " + name, "Established", deadline, progress, crds.withName(name));
        }
        waitFor(address, "Deployment " + Mesh.ISTIO_NAMESPACE + "/" + InstallSpec.istiodName(spec), "Available", deadline, progress,
                kube.client().apps().deployments().inNamespace(Mesh.ISTIO_NAMESPACE).withName(InstallSpec.istiodName(spec)));
    }

    /**
     * An object being deleted: a CRD (an {@code istioctl uninstall --purge} still at work; it stays until every object of
     * its kind is gone) takes istioctl's apply and still reads Established, but goes once its objects are gone, and the
     * API server refuses new objects of its kind meanwhile ("create not allowed while custom resource definition is
     * terminating"): the policies after the install would fail, or be applied and vanish. istiod's Deployment the same.
     */
    static void refuseTerminating(ResourceAddress address, String what, HasMetadata now) {
        if (now != null && now.getMetadata().getDeletionTimestamp() != null) {
            throw KubeErrors.error(address + ": istioctl install finished, but " + what + " is being deleted (since "
                            + now.getMetadata().getDeletionTimestamp() + "), so what follows the install cannot use it",
                    "nothing after the install was applied. Something is deleting Istio (istioctl uninstall --purge?);"
                            + " wait until `kubectl get` finds no " + what + ", then apply again: istioctl install makes"
                            + " it again");
        }
    }

    private static <T extends HasMetadata> void waitFor(ResourceAddress address, String what, String condition, long deadline,
            ProgressSink progress, io.fabric8.kubernetes.client.dsl.Resource<T> resource) {
        T now = resource.get();
        refuseTerminating(address, what, now);
        if (now == null || io.meshform.providers.kubernetes.KubeObjects.hasCondition(Json.toNode(now), condition)) {
            return;
        }
        long seconds = Math.max(1, (deadline - System.nanoTime()) / 1_000_000_000L);
        progress.note("waiting up to " + seconds + "s for " + what + " to be " + condition);
        try {
            resource.waitUntilCondition(o -> o == null
                    || io.meshform.providers.kubernetes.KubeObjects.hasCondition(Json.toNode(o), condition), seconds,
                    java.util.concurrent.TimeUnit.SECONDS);
        } catch (KubernetesClientException e) {
            throw KubeErrors.error(address + ": istioctl install finished, but " + what + " is not " + condition
                            + " after " + seconds + "s",
                    "nothing after the install was applied; check `kubectl describe` on it, then apply again"
                            + " (raise timeoutSeconds if the cluster is slow)");
        }
    }
}

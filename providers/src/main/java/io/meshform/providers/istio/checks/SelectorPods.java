package io.meshform.providers.istio.checks;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.kubernetes.KubeConnection;
import java.util.Map;

/**
 * Live {@link PodMatcher}: one LIST of at most one pod per policy, in the policy's namespace (every namespace for
 * the root namespace, where a selector reaches workloads mesh-wide). Before istiod runs, nothing is judged: the
 * gateway a policy selects may come with the install this very plan makes.
 */
final class SelectorPods implements PodMatcher {
    private final KubeConnection kube;
    private Boolean controlPlane;

    SelectorPods(KubeConnection kube) {
        this.kube = kube;
    }

    @Override
    public synchronized java.util.Optional<Boolean> anyRunning(String namespace, Map<String, String> matchLabels) {
        try {
            if (controlPlane == null) {
                controlPlane = !kube.client().apps().deployments().inNamespace(Mesh.ROOT_NAMESPACE).withLabel("app", "istiod")
                        .list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withLimit(1L).build()).getItems().isEmpty();
            }
            if (!controlPlane) {
                return java.util.Optional.empty();
            }
            var pods = Mesh.ROOT_NAMESPACE.equals(namespace) ? kube.client().pods().inAnyNamespace().withLabels(matchLabels)
                    : kube.client().pods().inNamespace(namespace).withLabels(matchLabels);
            return java.util.Optional.of(pods.list().getItems().stream()
                    .anyMatch(p -> !io.meshform.providers.istio.injection.Sidecars.finished(p)));
        } catch (KubernetesClientException e) {
            return java.util.Optional.empty();
        }
    }
}

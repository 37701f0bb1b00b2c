package io.meshform.state.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;

/**
 * The Kubernetes backend against fabric8's CRUD mock API server: fast, and it checks resourceVersion conflicts
 * on update. {@link KubernetesStateBackendIT} runs the same checks on a real API server.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesStateBackendTest extends KubernetesStateBackendContract {

    KubernetesClient client;

    @Override
    protected KubernetesClient client() {
        return client;
    }

    @Override
    protected String namespace() {
        return "meshform-state-test";
    }
}

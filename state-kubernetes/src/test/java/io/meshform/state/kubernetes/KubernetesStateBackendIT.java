package io.meshform.state.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import org.junit.jupiter.api.BeforeEach;

/**
 * The Kubernetes backend on a real API server (the local control plane, MESHFORM_TEST_KUBECONFIG or K3s, as
 * the testkit chooses). Each test works in a namespace of its own that the testkit deletes afterwards.
 */
@LiveClusterTest
class KubernetesStateBackendIT extends KubernetesStateBackendContract {
    private KubernetesClient client;
    private String namespace;

    @BeforeEach
    void connect(ClusterContext cluster) {
        client = cluster.client();
        namespace = cluster.newNamespace();
    }

    @Override
    protected KubernetesClient client() {
        return client;
    }

    @Override
    protected String namespace() {
        return namespace;
    }
}

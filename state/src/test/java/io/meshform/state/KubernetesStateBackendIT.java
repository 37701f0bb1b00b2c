package io.meshform.state;

import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The Kubernetes backend on a real API server, from the kubeconfig in MESHFORM_TEST_KUBECONFIG. Fails (does not
 * skip) without one, so a CI without a cluster cannot pass silently. Each run works in its own namespace.
 * TODO: switch to the io.meshform.testkit cluster extension once it exists.
 */
class KubernetesStateBackendIT extends KubernetesStateBackendContract {

    private static KubernetesClient client;
    private static String namespace;

    @BeforeAll
    static void connect() throws IOException {
        String path = System.getenv("MESHFORM_TEST_KUBECONFIG");
        if (path == null || path.isBlank()) {
            fail("MESHFORM_TEST_KUBECONFIG is not set: point it at the kubeconfig of a test cluster "
                    + "(e.g. ~/.cache/meshform/cluster/kubeconfig from bin/dev-cluster), or run with -DskipITs");
        }
        Config config = Config.fromKubeconfig(Files.readString(Path.of(path)));
        client = new KubernetesClientBuilder().withConfig(config).build();
        namespace = "meshform-state-it-" + UUID.randomUUID().toString().substring(0, 8);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
                .addToLabels("app.kubernetes.io/managed-by", "meshform-tests").endMetadata().build()).create();
    }

    @AfterAll
    static void cleanUp() {
        if (client != null) {
            if (namespace != null) {
                client.namespaces().withName(namespace).delete();
            }
            client.close();
        }
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

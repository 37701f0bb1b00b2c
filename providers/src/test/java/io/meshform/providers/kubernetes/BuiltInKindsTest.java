package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.internal.OperationSupport;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BuiltInKindsTest {
    /** No request is sent: the client only builds operations and reads its own model classes. */
    private static KubernetesClient offline() {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl("https://127.0.0.1:1")
                .withNamespace("default").build()).build();
    }

    @Test
    void everyContextIsTheOneFabric8MakesFromTheKindsModelClass() {
        Map<String, ResourceDefinitionContext> contexts = BuiltInKinds.contexts(KnownKinds.builtIn());
        assertTrue(contexts.size() > 60, "the table's Kubernetes kinds: " + contexts.size());
        List<String> wrong = new ArrayList<>();
        try (KubernetesClient client = offline()) {
            contexts.forEach((key, ours) -> {
                String[] parts = key.split(" ");
                var type = client.getKubernetesSerialization().getRegisteredKubernetesResource(parts[0], parts[1]);
                if (type == null) {
                    wrong.add(key + ": fabric8 has no model class");
                    return;
                }
                @SuppressWarnings("unchecked")
                ResourceDefinitionContext theirs = ResourceDefinitionContext.fromResourceType(
                        (Class<? extends io.fabric8.kubernetes.api.model.KubernetesResource>) type);
                if (!(ours.getGroup().equals(theirs.getGroup()) && ours.getVersion().equals(theirs.getVersion())
                        && ours.getKind().equals(theirs.getKind()) && ours.getPlural().equals(theirs.getPlural())
                        && ours.isNamespaceScoped() == theirs.isNamespaceScoped())) {
                    wrong.add(key + ": ours " + describe(ours) + ", fabric8's " + describe(theirs));
                }
            });
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void istioKindsAreLeftToFabric8sLookup() {
        assertFalse(BuiltInKinds.context("security.istio.io/v1", "PeerAuthentication").isPresent());
        assertFalse(BuiltInKinds.context("networking.istio.io/v1", "VirtualService").isPresent());
        assertFalse(BuiltInKinds.context("example.com/v1", "Widget").isPresent());
        assertTrue(BuiltInKinds.context("v1", "ConfigMap").isPresent());
    }

    @Test
    void theOperationsUrlIsTheOneFabric8sLookupGives() throws Exception {
        try (KubernetesClient client = offline()) {
            for (String[] k : List.of(new String[] {"v1", "ConfigMap"}, new String[] {"apps/v1", "Deployment"},
                    new String[] {"v1", "Namespace"}, new String[] {"networking.k8s.io/v1", "NetworkPolicy"},
                    new String[] {"v1", "Endpoints"})) {
                var ours = BuiltInKinds.operation(client, k[0], k[1]).inNamespace("team-a");
                var theirs = client.genericKubernetesResources(k[0], k[1]).inNamespace("team-a");
                String url = ((OperationSupport) ours).getNamespacedUrl().toString();
                assertNotNull(url);
                assertEquals(((OperationSupport) theirs).getNamespacedUrl().toString(), url, k[1]);
            }
        }
    }

    private static String describe(ResourceDefinitionContext c) {
        return c.getGroup() + "/" + c.getVersion() + " " + c.getKind() + " " + c.getPlural()
                + (c.isNamespaceScoped() ? " namespaced" : " cluster");
    }
}

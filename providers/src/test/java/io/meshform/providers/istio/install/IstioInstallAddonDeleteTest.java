package io.meshform.providers.istio.install;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.DeleteRequest;
import io.meshform.engine.spi.StackContext;
import io.meshform.providers.istio.core.Istioctl;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.state.ResourceState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

/**
 * Destroying an install deletes the addon objects its state lists only when this install applied them: an entry
 * added to the state for a hand-made object does not get it deleted (the real API server: IstioAddonDeleteIT).
 */
@EnableKubernetesMockClient(crud = true)
class IstioInstallAddonDeleteTest {
    private static final ResourceAddress MESH = ResourceAddress.parse("istio.install.mesh");
    private static final String LINEAGE = "lineage-of-this-state";

    KubernetesClient client;

    private void configMap(String ns, String name, Map<String, String> annotations, String annotationsManager) {
        var b = new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(ns).withAnnotations(annotations);
        if (annotationsManager != null) {
            Map<String, Object> fields = Map.of("f:metadata", Map.of("f:annotations",
                    Map.of("f:meshform.io/lineage", Map.of(), "f:meshform.io/address", Map.of())));
            b.withManagedFields(new ManagedFieldsEntryBuilder().withManager(annotationsManager).withOperation("Apply")
                    .withFieldsV1(fieldsV1(fields)).build());
        }
        client.configMaps().inNamespace(ns).resource(b.endMetadata().addToData("keep", "me").build()).create();
    }

    private static FieldsV1 fieldsV1(Map<String, Object> fields) {
        FieldsV1 f = new FieldsV1();
        fields.forEach(f::setAdditionalProperty);
        return f;
    }

    private List<String> destroy(Path dir, String addonObjects) throws Exception {
        var type = new IstioInstallType(new KubeConnection(client, "meshform"),
                new Istioctl(IstioInstallFakeIstioctlTest.fake(dir).toString(), "test", "/tmp/kubeconfig", "dev"));
        ObjectNode spec = (ObjectNode) yaml("version: \"1.28\"\nprofile: default\n");
        var recorded = new ResourceState(MESH.toString(), MESH.type(), spec, Map.of("addonObjects", addonObjects,
                "revision", "default", "fieldManager", "meshform"));
        List<String> progress = new ArrayList<>();
        type.delete(new DeleteRequest(MESH, recorded, progress::add, StackContext.detached(), LINEAGE));
        return progress;
    }

    @Test
    void anObjectTheStateListsButThisInstallDidNotApplyStays(@TempDir Path dir) throws Exception {
        configMap("kube-system", "precious", Map.of(), null);
        List<String> progress = destroy(dir, "kiali|v1|ConfigMap|kube-system|precious");
        assertNotNull(client.configMaps().inNamespace("kube-system").withName("precious").get(), String.join("\n", progress));
        assertTrue(progress.stream().anyMatch(p -> p.startsWith("istio.install.mesh: ConfigMap kube-system/precious is listed"
                + " among the state's addon objects but carries no meshform mark, so this install did not apply it: it is"
                + " left in place, not deleted.")), String.join("\n", progress));
    }

    @Test
    void anAddonObjectThisInstallAppliedGoes(@TempDir Path dir) throws Exception {
        configMap("istio-system", "kiali", Map.of("meshform.io/lineage", LINEAGE, "meshform.io/address", MESH.toString()),
                "meshform");
        List<String> progress = destroy(dir, "kiali|v1|ConfigMap|istio-system|kiali");
        assertNull(client.configMaps().inNamespace("istio-system").withName("kiali").get(), String.join("\n", progress));
    }
}

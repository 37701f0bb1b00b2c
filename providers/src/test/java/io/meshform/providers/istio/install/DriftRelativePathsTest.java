package io.meshform.providers.istio.install;

import io.meshform.providers.istio.core.Istioctl;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.meshform.engine.drift.DriftDetector;
import io.meshform.engine.drift.DriftEntry;
import io.meshform.engine.drift.DriftReport;
import io.meshform.engine.model.BackendConfig;
import io.meshform.engine.model.Environment;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.SourceLocator;
import io.meshform.engine.model.Stack;
import io.meshform.engine.spi.PlanDetail;
import io.meshform.engine.spi.Provider;
import io.meshform.engine.spi.ResourceType;
import io.meshform.engine.spi.TypeRegistry;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.state.ResourceState;
import io.meshform.state.StateSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code drift} plans each recorded resource without building the graph first; a relative path in a spec
 * ({@code addons.manifests}) must still resolve from the stack file's directory, not from where meshform runs.
 */
@EnableKubernetesMockClient(crud = true)
class DriftRelativePathsTest {
    KubernetesClient client;

    @Test
    void addonsManifestsResolveFromTheStackFile(@TempDir Path dir) throws Exception {
        Path stackDir = Files.createDirectories(dir.resolve("stacks/cortex"));
        Files.createDirectories(stackDir.resolve("addons"));
        Files.writeString(stackDir.resolve("addons/kiali.yaml"), """
                apiVersion: v1
                kind: ServiceAccount
                metadata: {name: kiali, labels: {app.kubernetes.io/name: kiali}}
                """);
        // The working directory holds no addons/ directory: a path resolved against it fails the drift run.
        assertEquals(false, Files.exists(Path.of("addons/kiali.yaml").toAbsolutePath()));
        client.apps().deployments().inNamespace("istio-system").resource(new DeploymentBuilder().withNewMetadata()
                .withName("istiod").withNamespace("istio-system").addToLabels("app", "istiod")
                .addToLabels("operator.istio.io/version", "1.28.5").endMetadata().withNewSpec().withNewTemplate().withNewSpec()
                .endSpec().endTemplate().endSpec().build()).create();

        var kube = new KubeConnection(client, "meshform");
        var install = new IstioInstallType(kube, new Istioctl(IstioInstallFakeIstioctlTest.fake(dir).toString(), "test", null, null));
        var spec = yaml("version: \"1.28\"\naddons: {kiali: true, manifests: addons}\n");
        var address = ResourceAddress.parse("istio.install.mesh");
        var stack = new Stack("cortex", Environment.STAGING, stackDir.resolve("stack.yaml"), BackendConfig.localDefault(),
                List.of(new ResourceDecl(address, List.of(), spec, SourceLocator.none("stack.yaml"))), "digest");
        var state = StateSnapshot.empty("t").with(new ResourceState(address.toString(), address.type(), spec,
                Map.of("renderDigest", "sha256:old", "istioDigest", "sha256:old")));

        DriftReport report = new DriftDetector(new TypeRegistry(List.of(only(install)))).detect(stack, state, List.of());

        DriftEntry entry = report.entries().get(0);
        assertNotEquals(null, entry.details());
        assertEquals(true, entry.details().contains(PlanDetail.add("ServiceAccount istio-system/kiali [addon kiali]")),
                "the addon file was read from the stack's directory: " + entry.details());
    }

    private static Provider only(ResourceType type) {
        return new Provider() {
            @Override
            public String name() {
                return "istio";
            }

            @Override
            public List<ResourceType> resourceTypes() {
                return List.of(type);
            }
        };
    }
}

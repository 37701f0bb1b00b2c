package io.meshform.providers.istio.gatewayapi;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.Testbed;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The Gateway API CRDs Istio is built against (testbed/build.sh gateway-api-crds, GATEWAY_API_VERSION), installed
 * by the tests that need them and removed after, so the other tests keep a cluster without them (as before).
 * Missing files fail the test: a Gateway cannot be created without its CRD, and nothing may stand in for it.
 */
public final class GatewayApiCrds implements AutoCloseable {
    private final KubernetesClient client;
    private final List<String> names;

    private GatewayApiCrds(KubernetesClient client, List<String> names) {
        this.client = client;
        this.names = names;
    }

    /** Applies every CRD of the cached set (server-side) and waits until each is Established. */
    public static GatewayApiCrds install(ClusterContext cluster) {
        KubernetesClient c = cluster.client();
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.list(Testbed.gatewayApiCrds())) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(f)) {
                    CustomResourceDefinition crd = c.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
                    c.resource(crd).fieldManager("meshform-it").forceConflicts().serverSideApply();
                    names.add(crd.getMetadata().getName());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String n : names) {
            c.apiextensions().v1().customResourceDefinitions().withName(n).waitUntilCondition(crd -> crd != null
                    && crd.getStatus() != null && crd.getStatus().getConditions().stream()
                    .anyMatch(k -> "Established".equals(k.getType()) && "True".equals(k.getStatus())), 60, TimeUnit.SECONDS);
        }
        return new GatewayApiCrds(c, List.copyOf(names));
    }

    /** Deletes the CRDs (and so every Gateway API object, and through owner references the Deployments istiod made). */
    @Override
    public void close() {
        for (String n : names) {
            client.apiextensions().v1().customResourceDefinitions().withName(n).delete();
        }
    }
}

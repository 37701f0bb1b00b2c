package io.meshform.providers;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meshform.engine.spi.ProviderSettings;
import io.meshform.providers.istio.policy.IstioPolicyType;
import io.meshform.providers.istio.policy.PolicyKind;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.providers.kubernetes.ManifestType;
import io.meshform.providers.kubernetes.NamespaceType;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The id `meshform import` takes, read from what the state records: `state rm` prints the exact command to take an
 * object back, e.g. `meshform import -f cortex-production.yaml istio.peerAuthentication.spark-driver
 * cortex-compute/spark-driver`.
 */
class ImportIdTest {
    private final KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of()));

    @Test
    void eachTypeGivesTheIdItsImportTakes() {
        assertEquals(Optional.of("cortex"), new NamespaceType(kube).importId(yaml("name: cortex\n")));
        IstioPolicyType policies = new IstioPolicyType(kube, PolicyKind.PEER_AUTHENTICATION, Set.of());
        assertEquals(Optional.of("cortex-compute/spark-driver"),
                policies.importId(yaml("namespace: cortex-compute\nname: spark-driver\nmtls: {mode: PERMISSIVE}\n")));
        ManifestType manifests = new ManifestType(kube);
        assertEquals(Optional.of("cortex/settings"), manifests.importId(yaml(
                "manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: settings, namespace: cortex}}\n")));
        assertEquals(Optional.of("reader"), manifests.importId(yaml(
                "manifest: {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: reader}}\n")));
        assertEquals(Optional.empty(), manifests.importId(yaml("file: reader.yaml\n")), "no recorded manifest: no id");
    }
}

package io.meshform.providers.istio.install;

import io.meshform.providers.istio.core.Istioctl;

import static io.meshform.providers.TestSpecs.warnings;
import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.providers.kubernetes.KubeConnection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Kubernetes version check before an Istio install, and the purge warning of validate. */
@EnableKubernetesMockClient
class KubernetesSupportTest {
    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void theTableJudgesTheServerVersion() {
        assertEquals(KubernetesSupport.Verdict.OK, KubernetesSupport.judge("1.30.3", "1", "34"));
        assertEquals("Kubernetes 1.31 is older than Istio 1.30.3 supports (1.32 to 1.36)",
                KubernetesSupport.judge("1.30.3", "1", "31").error());
        assertEquals("Kubernetes 1.29 is older than Istio 1.28 supports (1.30 to 1.34)", KubernetesSupport.judge("1.28", "1", "29").error());
        var newer = KubernetesSupport.judge("1.28.5", "1", "36+");
        assertNull(newer.error());
        assertTrue(newer.warning().startsWith("Kubernetes 1.36+ is newer than Istio 1.28.5 is tested with (1.30 to 1.34)"), newer.warning());
        assertTrue(KubernetesSupport.judge("1.99", "1", "34").warning().contains("knows no supported Kubernetes range for Istio 1.99"));
        assertTrue(KubernetesSupport.judge("1.30", "2", "0").warning().contains("cannot read"));
    }

    private UpgradePolicy type() {
        return new UpgradePolicy(new KubeConnection(client, "meshform"));
    }

    private void serverVersion(String minor) {
        server.setVersionInfo(new VersionInfo.Builder().withMajor("1").withMinor(minor).withGitVersion("v1." + minor + ".0").build());
    }

    @Test
    void anOldClusterFailsThePlanWithAnActionableMessage() {
        serverVersion("31");
        var e = assertThrows(DiagnosticsException.class, () -> type().checkKubernetes(ResourceAddress.parse("istio.install.mesh"),
                yaml("version: \"1.30.3\"\n"), new ArrayList<>()));
        assertTrue(e.getMessage().contains("istio.install.mesh: Kubernetes 1.31 is older than Istio 1.30.3 supports (1.32 to 1.36)"),
                e.getMessage());
    }

    @Test
    void aNewerClusterWarnsAndASupportedOneIsQuiet() {
        serverVersion("37");
        List<String> warnings = new ArrayList<>();
        type().checkKubernetes(ResourceAddress.parse("istio.install.mesh"), yaml("version: \"1.30.3\"\n"), warnings);
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("newer than Istio 1.30.3 is tested with"), warnings.toString());
    }

    @Test
    void purgeIsAWarningOfValidate() {
        assertEquals(List.of("/purge: purge: true makes destroy delete all Istio CRDs and every Istio policy in the cluster"
                        + " (istioctl uninstall --purge), including policies and control planes meshform does not manage"),
                warnings(InstallSpec.validate(yaml("version: \"1.30.3\"\npurge: true\n"))));
        assertEquals(List.of(), warnings(InstallSpec.validate(yaml("version: \"1.30.3\"\npurge: false\n"))));
    }
}

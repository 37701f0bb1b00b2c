package io.meshform.providers.istio.install;

import io.meshform.providers.istio.core.Istioctl;

import static io.meshform.providers.TestSpecs.warnings;
import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.providers.kubernetes.KubeConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The Kubernetes version check before an Istio install, and the purge warning of validate. */
@EnableKubernetesMockClient
class KubernetesSupportTest {
    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void theTableJudgesTheServerVersion() {
        assertEquals(Optional.empty(), KubernetesSupport.judge("1.30.3", "1", "34"));
        assertTrue(KubernetesSupport.judge("1.30.3", "1", "31").orElseThrow().startsWith("Kubernetes 1.31 is older than Istio"
                + " 1.30.3 supports (1.32 to 1.36; istioctl's minimum is 1.32): istioctl install proceeds with a warning"));
        var newer = KubernetesSupport.judge("1.28.5", "1", "36+").orElseThrow();
        assertTrue(newer.startsWith("Kubernetes 1.36+ is newer than Istio 1.28.5 is tested with (1.30 to 1.34)"), newer);
        assertTrue(KubernetesSupport.judge("1.99", "1", "34").orElseThrow().contains("knows no supported Kubernetes range for Istio 1.99"));
        assertTrue(KubernetesSupport.judge("1.30", "2", "0").orElseThrow().contains("cannot read"));
    }

    /** istioctl/pkg/install/k8sversion/version.go MinK8SVersion at each tag: 29 at 1.28.0-1.28.1, 30 from 1.28.2, 30 at 1.29, 32 at 1.30. */
    @Test
    void theMinimumIsIstioctlsForEachPatchRelease() {
        assertEquals(29, KubernetesSupport.forIstio("1.28.0").orElseThrow().oldestMinor());
        assertEquals(29, KubernetesSupport.forIstio("1.28.1").orElseThrow().oldestMinor());
        assertEquals(30, KubernetesSupport.forIstio("1.28.2").orElseThrow().oldestMinor());
        assertEquals(30, KubernetesSupport.forIstio("1.28.10").orElseThrow().oldestMinor());
        assertEquals(30, KubernetesSupport.forIstio("1.29.0").orElseThrow().oldestMinor());
        assertEquals(30, KubernetesSupport.forIstio("1.29.6").orElseThrow().oldestMinor());
        assertEquals(32, KubernetesSupport.forIstio("1.30.3").orElseThrow().oldestMinor());
        assertEquals(29, KubernetesSupport.forIstio("1.27.9").orElseThrow().oldestMinor());
        assertEquals(Optional.empty(), KubernetesSupport.judge("1.28.1", "1", "29"), "istioctl 1.28.1 accepts Kubernetes 1.29");
        assertEquals(Optional.empty(), KubernetesSupport.judge("1.29.0", "1", "30"), "istioctl 1.29.0 accepts Kubernetes 1.30");
        assertTrue(KubernetesSupport.judge("1.28.2", "1", "29").isPresent(), "istioctl 1.28.2 warns on Kubernetes 1.29");
    }

    private UpgradePolicy type() {
        return new UpgradePolicy(new KubeConnection(client, "meshform"));
    }

    private void serverVersion(String minor) {
        server.setVersionInfo(new VersionInfo.Builder().withMajor("1").withMinor(minor).withGitVersion("v1." + minor + ".0").build());
    }

    /** istioctl install only warns below its minimum (IsK8VersionSupported returns nil), so the plan warns, not fails. */
    @Test
    void anOldClusterWarnsAsIstioctlInstallDoes() {
        serverVersion("31");
        List<String> warnings = new ArrayList<>();
        type().checkKubernetes(ResourceAddress.parse("istio.install.mesh"), yaml("version: \"1.30.3\"\n"), warnings);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("Kubernetes 1.31 is older than Istio 1.30.3 supports (1.32 to 1.36; istioctl's minimum"
                + " is 1.32)"), warnings.get(0));
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

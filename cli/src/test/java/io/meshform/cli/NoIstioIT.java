package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.FinalizerHold;
import io.meshform.testkit.GenericObjects;
import io.meshform.testkit.LiveClusterTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link NoIstio#uninstall} returns once Istio is gone, CRDs included. Here a finalizer on a PeerAuthentication holds
 * its CRD Terminating for a few seconds after {@code istioctl uninstall --purge} returned (as the API server deleting
 * many objects on a loaded host does). Before, the tests that start without Istio went on at once (ExamplesIT after
 * waiting 10 s for one CRD, silently), and the install that followed applied Istio's CRDs onto the terminating ones,
 * which then vanished, and the API server refused new policies meanwhile. It leaves Istio's default profile installed,
 * as the tests that install it do.
 */
@LiveClusterTest
class NoIstioIT {
    private static final ResourceDefinitionContext PEER_AUTH = new ResourceDefinitionContext.Builder()
            .withGroup("security.istio.io").withVersion("v1").withKind("PeerAuthentication")
            .withPlural("peerauthentications").withNamespaced(true).build();
    private static final String CRD = "peerauthentications.security.istio.io";

    @Test
    void uninstallReturnsOnceTheCrdsAreGoneAndAnInstallAfterItTakesPolicies(ClusterContext cluster) throws Exception {
        var client = cluster.client();
        istioctlInstall(cluster);
        String ns = cluster.newNamespace();
        var policies = client.genericKubernetesResources(PEER_AUTH).inNamespace(ns);
        policies.resource(GenericObjects.of("security.istio.io/v1", "PeerAuthentication", ns, "held",
                Map.of("mtls", Map.of("mode", "PERMISSIVE")))).create();
        var crd = client.apiextensions().v1().customResourceDefinitions().withName(CRD);
        List<String> atReturn;
        // Released 3 s after the CRD's delete: istioctl uninstall has returned by then; NoIstio must still be waiting.
        try (var hold = FinalizerHold.add(policies.withName("held"))
                .releaseWhenDeleting(crd, Duration.ofSeconds(3), Duration.ofSeconds(120))) {
            NoIstio.uninstall(cluster);
            atReturn = NoIstio.left(client);
            assertTrue(hold.released(Duration.ofSeconds(60)), "istioctl uninstall --purge deleted the held policy's CRD");
        }
        assertEquals(List.of(), atReturn, "NoIstio returned only once Istio, its CRDs included, was gone");

        istioctlInstall(cluster);
        assertNotNull(policies.resource(GenericObjects.of("security.istio.io/v1", "PeerAuthentication", ns, "next",
                Map.of("mtls", Map.of("mode", "PERMISSIVE")))).create(), "a policy of the CRDs installed again");
    }

    private static void istioctlInstall(ClusterContext cluster) throws Exception {
        Process p = new ProcessBuilder(cluster.istioctl().toString(), "install", "-y", "--set", "profile=default",
                "--kubeconfig", cluster.kubeconfigPath().toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES) && p.exitValue() == 0, "istioctl install failed:\n" + out);
    }
}

package io.meshform.providers.istio.install;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.meshform.engine.spi.Action;
import io.meshform.providers.Harness;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.FinalizerHold;
import io.meshform.testkit.GenericObjects;
import io.meshform.testkit.LiveClusterTest;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An install applied while Istio's policy CRDs are being deleted (an {@code istioctl uninstall --purge} still at work)
 * does not say it is ready. A finalizer on a PeerAuthentication holds its CRD Terminating; istioctl install applies
 * the CRD (the API server takes that) and it still reads Established, so the apply returned ready, and the policies
 * after it were refused ("create not allowed while custom resource definition is terminating") or vanished with it.
 */
@LiveClusterTest
class TerminatingCrdIT {
    private static final ResourceDefinitionContext PEER_AUTH = new ResourceDefinitionContext.Builder()
            .withGroup("security.istio.io").withVersion("v1").withKind("PeerAuthentication")
            .withPlural("peerauthentications").withNamespaced(true).build();
    private static final String CRD = "peerauthentications.security.istio.io";

    @Test
    void anInstallOntoATerminatingPolicyCrdIsNotReady(ClusterContext cluster) {
        var client = cluster.client();
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of("istioctl", cluster.istioctl().toString()))) {
            String addr = "istio.install.mesh";
            var spec = yaml("version: \"" + IstioInstallIT.MINOR + "\"\nprofile: default\n");
            var first = h.plan(addr, spec);
            if (first.action() != Action.NOOP) {
                h.apply(addr, spec, first.privateData());
            }
            String ns = cluster.newNamespace();
            var policies = client.genericKubernetesResources(PEER_AUTH).inNamespace(ns);
            GenericKubernetesResource held = GenericObjects.of("security.istio.io/v1", "PeerAuthentication", ns, "held",
                    Map.of("mtls", Map.of("mode", "PERMISSIVE")));
            policies.resource(held).create();
            var crd = client.apiextensions().v1().customResourceDefinitions().withName(CRD);
            FinalizerHold hold = FinalizerHold.add(policies.withName("held"));
            try (hold) {
                crd.delete();
                var e = assertThrows(RuntimeException.class, () -> h.apply(addr, spec, h.plan(addr, spec).privateData()));
                assertTrue(e.getMessage().contains(addr + ": istioctl install finished, but CustomResourceDefinition " + CRD
                        + " is being deleted"), e.getMessage());
            }
            crd.waitUntilCondition(java.util.Objects::isNull, 120, TimeUnit.SECONDS);
            // Once it is gone, the same apply creates it again, and policies can be made.
            h.apply(addr, spec, h.plan(addr, spec).privateData());
            assertNotNull(policies.resource(GenericObjects.of("security.istio.io/v1", "PeerAuthentication", ns, "next",
                    Map.of("mtls", Map.of("mode", "PERMISSIVE")))).create());
        }
    }
}

package io.meshform.providers;

import io.meshform.engine.spi.Action;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.Testbed;
import java.time.Duration;
import java.util.Map;

/**
 * Istio's default profile installed on the live cluster (through istio.install, the way the other Istio tests
 * install it) and served by the test bed's istiod, for tests that need Istio's webhooks or its proxy config. A
 * cluster that already has it keeps it; tests of install and uninstall put the default revision back when done.
 */
public final class DefaultIstio {
    /** "1.30" from testbed/versions.env ISTIO_VERSION. */
    public static final String MINOR = Testbed.versions().get("ISTIO_VERSION").replaceAll("^(\\d+\\.\\d+).*", "$1");

    private DefaultIstio() {
    }

    public static synchronized void ensure(ClusterContext cluster) {
        var istiod = cluster.client().apps().deployments().inNamespace("istio-system").withName("istiod").get();
        if (istiod == null || istiod.getMetadata().getDeletionTimestamp() != null) {
            try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of("istioctl", cluster.istioctl().toString()))) {
                var spec = TestSpecs.yaml("version: \"" + MINOR + "\"\nprofile: default\n");
                var plan = h.plan("istio.install.mesh", spec);
                if (plan.action() != Action.NOOP) {
                    h.apply("istio.install.mesh", spec, plan.privateData());
                }
            }
        }
        cluster.awaitIstiod("default", Duration.ofSeconds(60));
    }
}

package io.meshform.providers.istio.injection;

import io.meshform.providers.istio.checks.MeshChecksTest;

import static io.meshform.providers.TestSpecs.decl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.meshform.engine.model.Environment;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProxySkewTest {
    static Pod pod(String ns, String name, String deployment, String image, String revision) {
        var b = new PodBuilder().withNewMetadata().withNamespace(ns).withName(name)
                .addToLabels(ProxySkew.INJECTED_LABEL, "istio");
        if (revision != null) {
            b.addToAnnotations("istio.io/rev", revision); // as the injection template writes it; the injector labels nothing
        }
        if (deployment != null) {
            b.addToLabels("pod-template-hash", "5d9f").addNewOwnerReference().withKind("ReplicaSet").withName(deployment + "-5d9f").withController(true)
                    .withApiVersion("apps/v1").withUid("u").endOwnerReference();
        }
        return b.endMetadata().withNewSpec().addNewContainer().withName("app").withImage("app:1").endContainer()
                .addNewContainer().withName("istio-proxy").withImage(image).endContainer().endSpec().build();
    }

    @Test
    void tagsAndMinorsAreReadFromProxyImages() {
        assertEquals("1.30.3", ProxySkew.tagOf("docker.io/istio/proxyv2:1.30.3"));
        assertEquals("1.30.3-distroless", ProxySkew.tagOf("registry:5000/istio/proxyv2:1.30.3-distroless"));
        assertNull(ProxySkew.tagOf("registry:5000/istio/proxyv2"), "a registry port is not a tag");
        assertTrue(ProxySkew.unsupported("1.29.1", "1.31"));
        assertTrue(ProxySkew.unsupported("1.31.0", "1.30.3"), "newer than istiod");
        assertTrue(!ProxySkew.unsupported("1.30.3", "1.31"), "one release behind is supported");
    }

    @Test
    void onlyAnUnsupportedSkewIsAWarningAndTheRevisionMatters() {
        var install = decl("istio.install.mesh", "version: \"1.31\"\n");
        var pods = List.of(pod("cortex", "api-5d9f-a", "api", "docker.io/istio/proxyv2:1.30.3", null),
                pod("cortex", "api-5d9f-b", "api", "docker.io/istio/proxyv2:1.30.3", null),
                pod("cortex", "mongo-0", null, "docker.io/istio/proxyv2:1.29.6", null),
                pod("cortex-compute", "job-1", null, "docker.io/istio/proxyv2:1.28.0", "canary"));
        var ds = io.meshform.providers.istio.checks.ProxyVersionSkew.findings(MeshChecksTest.ctx(Environment.PRODUCTION, install), () -> LivePods.of(pods));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().contains("1 workload(s) of revision default run a sidecar that Istio does not support"),
                ds.get(0).summary());
        assertTrue(ds.get(0).detail().startsWith("proxy 1.29.6: Pod cortex/mongo-0"), ds.get(0).detail());

        List<String> details = io.meshform.providers.ChangeAssert.lines(ProxySkew.planDetails(LivePods.of(pods), "default", "1.31"));
        assertEquals(List.of("data plane: 1 workload(s) keep proxy 1.29.6 until they restart (restartWorkloads, or kubectl"
                        + " rollout restart): Pod cortex/mongo-0",
                "data plane: 1 workload(s) keep proxy 1.30.3 until they restart (restartWorkloads, or kubectl rollout"
                        + " restart): Deployment cortex/api"), details);
        assertEquals(List.of(), io.meshform.providers.istio.checks.ProxyVersionSkew.findings(MeshChecksTest.ctx(Environment.PRODUCTION, decl("istio.install.mesh",
                "version: \"1.30\"\n")), () -> List.of(LivePods.of(pods.get(0)))), "the running release raises nothing");
    }
}

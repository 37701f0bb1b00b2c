package io.meshform.providers.istio;

import io.meshform.providers.istio.install.RenderDiff;
import io.meshform.providers.istio.core.Istioctl;
import io.meshform.providers.istio.install.IstioInstallType;

import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshform.engine.spi.ProgressSink;
import io.meshform.providers.kubernetes.Json;
import io.meshform.testkit.ClusterContext;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * Makes sure the Istio CRDs the policy tests use exist with Istio's own schemas, from the real istioctl's
 * {@code manifest generate}. There is no stand-in: without istioctl (or when it fails) the test that asked FAILS,
 * since a schema-less CRD accepts what the real API server would refuse and the test would prove nothing.
 */
public final class IstioCrds {
    static final List<String> PLURALS = List.of("peerauthentications", "requestauthentications", "authorizationpolicies");

    private IstioCrds() {
    }

    public static synchronized void ensure(ClusterContext cluster) {
        KubernetesClient c = cluster.client();
        if (PLURALS.stream().allMatch(p -> fromIstio(c.apiextensions().v1().customResourceDefinitions()
                .withName(p + ".security.istio.io").get()))) {
            return;
        }
        Istioctl istioctl = new Istioctl(cluster.istioctl().toString(), "testkit", null, null);
        Istioctl.Result r;
        try {
            r = istioctl.run(List.of("manifest", "generate"), Duration.ofMinutes(2), ProgressSink.NONE, false);
        } catch (RuntimeException e) {
            fail("the Istio tests need the real istioctl for Istio's CRDs (" + e.getMessage()
                    + "); build it with testbed/build.sh istioctl, or set MESHFORM_ISTIOCTL");
            return;
        }
        if (r.exit() != 0) {
            fail("istioctl manifest generate failed (exit " + r.exit() + "): " + r.tail(10));
        }
        int applied = 0;
        for (JsonNode o : RenderDiff.parseRender(r.out()).objects()) {
            if ("CustomResourceDefinition".equals(Json.text(o, "kind"))) {
                CustomResourceDefinition crd = c.getKubernetesSerialization().unmarshal(o.toString(), CustomResourceDefinition.class);
                c.resource(crd).fieldManager("meshform-it").forceConflicts().serverSideApply();
                applied++;
            }
        }
        if (applied == 0) {
            fail("istioctl manifest generate rendered no CustomResourceDefinition");
        }
        for (String p : PLURALS) {
            c.apiextensions().v1().customResourceDefinitions().withName(p + ".security.istio.io").waitUntilCondition(
                    crd -> crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null
                            && crd.getStatus().getConditions().stream()
                                .anyMatch(x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())),
                    60, TimeUnit.SECONDS);
        }
    }

    /** Istio's CRDs carry a typed schema; a schema-less one (preserving unknown fields at the top) is not Istio's. */
    static boolean fromIstio(CustomResourceDefinition crd) {
        return crd != null && crd.getSpec().getVersions().stream().allMatch(v -> v.getSchema() != null
                && v.getSchema().getOpenAPIV3Schema() != null && v.getSchema().getOpenAPIV3Schema().getProperties() != null
                && !v.getSchema().getOpenAPIV3Schema().getProperties().isEmpty());
    }
}

package io.meshform.providers.istio.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.spi.PlanCheck;
import io.meshform.engine.spi.PlanCheck.Concern;
import io.meshform.engine.spi.ProviderSettings;
import io.meshform.providers.istio.core.Istioctl;
import io.meshform.providers.kubernetes.KubeConnection;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * What each mesh check's findings mean, which drift reports as their kind: only a finding that lets through what the
 * stack does not allow is "weakened". istiod without replicas, connections STRICT breaks, a provider istiod refuses
 * (its rules become DENY) were all reported as weakened before; analyze that did not run judged nothing.
 */
class CheckConcernsTest {
    private static final Diagnostic ANY = Diagnostic.warning("a finding", "", null);

    @Test
    void eachCheckSaysWhatItsFindingsMean() {
        try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of()))) {
            Map<String, PlanCheck> byName = new TreeMap<>();
            MeshChecks.all(kube, new Istioctl("istioctl-not-run", "the test", null, null), (ctx, d, spec) -> {
                throw new AssertionError("the install is not rendered");
            }).forEach(c -> byName.put(c.name(), c));
            Map<String, Concern> concerns = new TreeMap<>();
            byName.forEach((name, c) -> concerns.put(name, c.concern(ANY)));
            Map<String, Concern> expected = new TreeMap<>();
            byName.keySet().forEach(n -> expected.put(n, Concern.WEAKENS));
            for (String degrades : java.util.List.of(ANALYZE, "control-plane-available", "strict-without-exceptions",
                    "mtls-reachability", "custom-provider-declared", "tracing-provider-declared", "proxy-version-skew")) {
                expected.put(degrades, Concern.DEGRADES);
            }
            assertEquals(expected, concerns);

            PlanCheck analyze = byName.get(ANALYZE);
            assertEquals(Concern.UNCHECKED, analyze.concern(Diagnostic.warning(IstioAnalysis.DID_NOT_RUN + "no istioctl", "", null)));
            PlanCheck reach = byName.get("mtls-reachability");
            assertEquals(Concern.WEAKENS, reach.concern(Diagnostic.warning("mTLS: a/b -> c/d:8080 "
                    + MtlsReachability.PLAINTEXT_LIVE, "", null)), "a connection that went plaintext in the live cluster");
            assertEquals(Concern.DEGRADES, reach.concern(Diagnostic.warning("mTLS: a/b -> c/d:8080 broken in the live cluster",
                    "", null)));
            PlanCheck coverage = byName.get("ingress-auth-coverage");
            assertEquals(Concern.DEGRADES, coverage.concern(Diagnostic.warning(MixedCustomProviders.SUMMARY + "2 providers on"
                    + " istio-system/istio=ingressgateway", "", null)), "istiod turns every CUSTOM rule into a DENY");
            assertEquals(Concern.WEAKENS, coverage.concern(Diagnostic.warning("ingress coverage: `GET example.com //app/x` is"
                    + " let through without the auth proxy (doubled slash of /app/x, protected by rule 1)", "", null)));
            assertEquals(Concern.DEGRADES, coverage.concern(Diagnostic.warning(IngressAuthCoverage.PUBLIC_PATH
                    + "GET example.com /api/health` is denied, but the stack declares it public", "", null)));
            assertEquals(Concern.UNCHECKED, coverage.concern(Diagnostic.warning("ingress coverage of istio-system/istio="
                    + "ingressgateway" + GatewayEnvoyFilters.NOT_KNOWN + "istio-system/lua patches the gateway's Envoy config",
                    "", null)));
        }
    }

    private static final String ANALYZE = io.meshform.providers.istio.core.Mesh.ANALYZE_CHECK;
}

package io.meshform.providers.istio.injection;

import io.fabric8.kubernetes.api.model.Quantity;
import io.meshform.providers.kubernetes.Json;
import java.math.BigDecimal;
import java.math.RoundingMode;
import tools.jackson.databind.JsonNode;

/**
 * The CPU and memory one sidecar requests: Istio's default (100m, 128Mi), or the demo profile's (10m, 40Mi), unless the
 * stack's istio.install sets {@code values.global.proxy.resources.requests}. The Cortex guide warns these reservations
 * add up, so the plan multiplies them by the pods that will get a sidecar. Istio 1.30.3: only
 * manifests/charts/istio-control/istio-discovery/files/profile-demo.yaml sets {@code global.proxy.resources} among the
 * profiles, and {@code istioctl manifest generate --set profile=demo} writes 10m/40Mi into the injector's values
 * (default: 100m/128Mi).
 */
public record ProxyRequests(String cpu, String memory, String source) {
    public static final ProxyRequests DEFAULT = new ProxyRequests("100m", "128Mi", "Istio's default proxy requests");
    static final ProxyRequests DEMO = new ProxyRequests("10m", "40Mi", "the demo profile's proxy requests");
    private static final BigDecimal MI = BigDecimal.valueOf(1024L * 1024L);

    /** From an istio.install spec (null: the default); a field it leaves out keeps Istio's default. */
    public static ProxyRequests from(JsonNode installSpec) {
        if (installSpec == null) {
            return DEFAULT;
        }
        ProxyRequests base = "demo".equals(Json.text(installSpec, "profile")) ? DEMO : DEFAULT;
        JsonNode requests = installSpec.path("values").path("global").path("proxy").path("resources").path("requests");
        String cpu = Json.text(requests, "cpu");
        String memory = Json.text(requests, "memory");
        if (cpu == null && memory == null) {
            return base;
        }
        return new ProxyRequests(cpu != null ? cpu : base.cpu, memory != null ? memory : base.memory,
                "values.global.proxy.resources.requests");
    }

    /** E.g. "sidecar requests for 6 pod(s) in cortex: 600m CPU, 768Mi memory (6 × 100m / 128Mi, Istio's default ...)". */
    public String estimate(String namespace, int pods) {
        return "sidecar requests for " + pods + " pod(s) in " + namespace + ": " + cpuTotal(pods) + " CPU, "
                + memoryTotal(pods) + " memory (" + pods + " × " + cpu + " / " + memory + ", " + source + ")";
    }

    String cpuTotal(int pods) {
        BigDecimal cores = amount(cpu).multiply(BigDecimal.valueOf(pods));
        return cores.multiply(BigDecimal.valueOf(1000)).setScale(0, RoundingMode.CEILING).toPlainString() + "m";
    }

    String memoryTotal(int pods) {
        BigDecimal bytes = amount(memory).multiply(BigDecimal.valueOf(pods));
        return bytes.divide(MI, 0, RoundingMode.CEILING).toPlainString() + "Mi";
    }

    private static BigDecimal amount(String quantity) {
        try {
            return Quantity.getAmountInBytes(new Quantity(quantity));
        } catch (RuntimeException e) {
            return BigDecimal.ZERO; // validation of istio.install values is istioctl's; the estimate just shows 0
        }
    }
}

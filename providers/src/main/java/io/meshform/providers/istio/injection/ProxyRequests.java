package io.meshform.providers.istio.injection;

import io.fabric8.kubernetes.api.model.Quantity;
import io.meshform.providers.kubernetes.Json;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
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
    /** The pod annotations Istio's injection template reads a sidecar's resources from. */
    public static final String CPU = "sidecar.istio.io/proxyCPU";
    public static final String MEMORY = "sidecar.istio.io/proxyMemory";
    public static final List<String> POD_ANNOTATIONS = List.of(CPU, MEMORY, CPU + "Limit", MEMORY + "Limit");

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
        return estimate(namespace, java.util.Collections.nCopies(pods, Map.of()));
    }

    /**
     * The estimate for pods with these annotations (one map per pod): a pod that sets any of {@link #POD_ANNOTATIONS}
     * requests what they say instead (Istio 1.30.3 manifests/charts/istio-control/istio-discovery/files/
     * injection-template.yaml, {@code define "resources"}: any of the four replaces {@code global.proxy.resources}
     * whole; requests come from proxyCPU/proxyMemory, limits from the ...Limit ones), and a limit without its request
     * is also the request (Kubernetes 1.36 pkg/apis/core/v1/defaults.go {@code SetDefaults_Pod}); neither: none.
     */
    public String estimate(String namespace, List<Map<String, String>> pods) {
        BigDecimal cpuSum = BigDecimal.ZERO;
        BigDecimal memorySum = BigDecimal.ZERO;
        int own = 0;
        for (Map<String, String> annotations : pods) {
            ProxyRequests r = forPod(annotations);
            own += r == this ? 0 : 1;
            cpuSum = cpuSum.add(amount(r.cpu));
            memorySum = memorySum.add(amount(r.memory));
        }
        int shared = pods.size() - own;
        return "sidecar requests for " + pods.size() + " pod(s) in " + namespace + ": " + millicores(cpuSum) + " CPU, "
                + mebibytes(memorySum) + " memory (" + (shared == 0 ? "" : shared + " × " + cpu + " / " + memory + ", " + source)
                + (own == 0 ? "" : (shared == 0 ? "" : "; ") + own + " pod(s) set their own with sidecar.istio.io/proxyCPU,"
                        + " proxyMemory or their ...Limit annotations") + ")";
    }

    /** What one pod's sidecar requests: these requests, or what its annotations say ({@link #estimate(String, List)}). */
    ProxyRequests forPod(Map<String, String> annotations) {
        if (POD_ANNOTATIONS.stream().noneMatch(annotations::containsKey)) {
            return this;
        }
        String podCpu = annotations.getOrDefault(CPU, annotations.getOrDefault(CPU + "Limit", "0"));
        String podMemory = annotations.getOrDefault(MEMORY, annotations.getOrDefault(MEMORY + "Limit", "0"));
        return new ProxyRequests(podCpu, podMemory, "the pod's annotations");
    }


    String cpuTotal(int pods) {
        return millicores(amount(cpu).multiply(BigDecimal.valueOf(pods)));
    }

    String memoryTotal(int pods) {
        return mebibytes(amount(memory).multiply(BigDecimal.valueOf(pods)));
    }

    private static String millicores(BigDecimal cores) {
        return cores.multiply(BigDecimal.valueOf(1000)).setScale(0, RoundingMode.CEILING).toPlainString() + "m";
    }

    private static String mebibytes(BigDecimal bytes) {
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

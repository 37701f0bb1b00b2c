package io.meshform.providers.istio.checks;

/**
 * Which planned objects {@code istioctl analyze} can be told about in its overlay file, judged from what its analyzers
 * read (Istio 1.30.3, pkg/config/analysis).
 *
 * <p>Core kinds it reads only from the live cluster ({@code DefaultExcludedSchemas}) are left out, as before. So are
 * ConfigMaps no analyzer can look at: of all analyzers ({@code analyzers.All()}), only {@code injection.Analyzer}
 * (the ConfigMap named {@code istio-sidecar-injector} or {@code istio-sidecar-injector-<revision>}, compared by name)
 * and {@code injection.ImageAnalyzer} (names starting with {@code istio-sidecar-injector}) take {@code ConfigMap} as an
 * input, and both skip every other name. The schema analyzers cover Istio's own kinds only. A ConfigMap of any other
 * name in the overlay changes no message, yet each one is parsed and stored by istioctl: at the bench's 1,000
 * objects (500 ConfigMaps, 500 PeerAuthentications) the overlay took analyze from about 0.35-0.50 s of user CPU
 * (live cluster alone) to 0.85-1.13 s, and without the ConfigMaps to 0.70-0.78 s (BENCHMARKS.md, issue 18, evening
 * session, n1000).
 */
final class AnalyzedKinds {
    /** The prefix of the sidecar injector's ConfigMaps, the only ones analyze's analyzers read. */
    static final String INJECTOR_CONFIG_MAP = "istio-sidecar-injector";

    private AnalyzedKinds() {
    }

    /** Whether analyze should see this planned object in its overlay. */
    static boolean overlaid(PlannedObject o) {
        if (!o.group().isEmpty()) {
            return true;
        }
        if (IstioAnalysis.RUNTIME_KINDS.contains(o.kind())) {
            return false;
        }
        return !"ConfigMap".equals(o.kind()) || (o.name() != null && o.name().startsWith(INJECTOR_CONFIG_MAP));
    }
}

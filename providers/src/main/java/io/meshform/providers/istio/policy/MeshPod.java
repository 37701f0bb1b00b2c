package io.meshform.providers.istio.policy;

import io.meshform.engine.spi.SortedCopies;
import java.util.List;
import java.util.Map;

/**
 * A pod as the mTLS model reads it: where it is, its labels, whether it runs an Istio sidecar, its IP and its
 * container ports. The live inventory builds these from the cluster's pods (one LIST); tests build them by hand.
 *
 * @param sidecar        true when the pod runs istio-proxy (injected, native sidecar or not); a pod without one sends
 *                       and accepts only what its application does
 * @param ip             the pod IP ({@code status.podIP}), or null before it is scheduled
 * @param containerPorts the application containers' ports (a PeerAuthentication's {@code portLevelMtls} keys)
 */
public record MeshPod(String namespace, String name, Map<String, String> labels, boolean sidecar, String ip,
                      List<Integer> containerPorts) {
    /** The label the injector writes and istiod reads for an endpoint's TLS mode. */
    public static final String TLS_MODE_LABEL = "security.istio.io/tlsMode";

    public MeshPod {
        // Sorted, not Map.copyOf (randomised per JVM): whatever iterates or prints it sees one order in every run.
        labels = SortedCopies.of(labels);
        containerPorts = List.copyOf(containerPorts);
    }

    /**
     * The endpoint TLS mode istiod gives this pod: the {@code security.istio.io/tlsMode} label, {@code disabled}
     * without it ({@code GetTLSModeFromEndpointLabels}, pilot/pkg/model/service.go; the injector sets the label to
     * {@code istio}: manifests/charts/istio-control/istio-discovery/files/injection-template.yaml).
     */
    public String endpointTlsMode() {
        String v = labels.get(TLS_MODE_LABEL);
        return v == null || v.isEmpty() ? "disabled" : v;
    }

    public String id() {
        return namespace + "/" + name;
    }
}

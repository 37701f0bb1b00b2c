package io.meshform.providers.istio.policy;

import java.util.List;

/**
 * What a client sends to one destination, as the cluster istiod builds for it (and, for EDS clusters, per endpoint).
 *
 * @param cluster     the Envoy cluster, {@code outbound|PORT||HOST} or {@code PassthroughCluster}; null for a client
 *                    without a sidecar (no Envoy)
 * @param transport   what the cluster itself sends when no endpoint decides otherwise (its own transport socket)
 * @param endpoints   per endpoint (EDS clusters): the pod and what it gets; empty for ORIGINAL_DST/passthrough
 * @param rule        the DestinationRule whose tls decided the cluster's TLS, or null (auto-mTLS or none)
 * @param why         one sentence naming the Istio rule that decided, for plan output
 */
public record Outbound(String cluster, Transport transport, List<EndpointTransport> endpoints, DestinationPolicy rule,
                       String why) {
    public Outbound {
        endpoints = List.copyOf(endpoints);
    }

    /** What a client puts on the wire towards a destination. */
    public enum Transport {
        /** Istio mTLS with the workload certificate (DestinationRule ISTIO_MUTUAL or auto-mTLS). */
        ISTIO_MUTUAL,
        /** TLS origination with the user's settings (DestinationRule SIMPLE or MUTUAL): not Istio mTLS. */
        TLS,
        /** Plaintext from the client's side (the application may still speak TLS itself). */
        PLAINTEXT
    }

    /** One endpoint of an EDS cluster and what Envoy sends it ({@code transport_socket_matches} against its metadata). */
    public record EndpointTransport(MeshPod pod, int port, Transport transport) {
    }

    /**
     * True when every endpoint gets Istio mTLS (without endpoints: the cluster's transport), as the test bed's probe
     * reports {@code originatesMtls}.
     */
    public boolean originatesMtls() {
        if (endpoints.isEmpty()) {
            return transport == Transport.ISTIO_MUTUAL;
        }
        return endpoints.stream().allMatch(e -> e.transport() == Transport.ISTIO_MUTUAL);
    }

    /** What {@code pod} receives from this client on this destination (the cluster's transport when not an endpoint). */
    public Transport to(MeshPod pod) {
        for (EndpointTransport e : endpoints) {
            if (e.pod() == pod || e.pod().equals(pod)) {
                return e.transport();
            }
        }
        return transport;
    }
}

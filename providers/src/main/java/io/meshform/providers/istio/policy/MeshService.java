package io.meshform.providers.istio.policy;

import io.meshform.engine.spi.SortedCopies;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A Kubernetes Service as the client-side mTLS model reads it.
 *
 * @param headless true for {@code clusterIP: None}: istiod gives it Passthrough resolution, so its clusters are
 *                 ORIGINAL_DST (pilot/pkg/serviceregistry/kube/conversion.go)
 * @param selector {@code spec.selector}; its pods (ready, in the Service's namespace) are the endpoints
 * @param created  {@code metadata.creationTimestamp}, or null for a Service not created yet (a plan's): it will be
 *                 the newest, so it sorts last. istiod builds listeners Service by Service in creation order
 *                 ({@link #ISTIOD_ORDER}), and where two claim one listener the first wins
 */
public record MeshService(String namespace, String name, boolean headless, Map<String, String> selector,
                          List<Port> ports, Instant created) {
    /**
     * The order istiod walks Services in when it builds a sidecar's listeners: creation time, then name, then
     * namespace ({@code SortServicesByCreationTime}, pilot/pkg/model/push_context.go).
     */
    public static final Comparator<MeshService> ISTIOD_ORDER = Comparator
            .comparing((MeshService s) -> s.created() == null ? Instant.MAX : s.created())
            .thenComparing(MeshService::name).thenComparing(MeshService::namespace);

    /** The cluster domain istiod is run with (its default, {@code --domain cluster.local}). */
    public static final String DOMAIN = "cluster.local";

    public MeshService {
        // Sorted, not Map.copyOf (randomised per JVM): whatever iterates or prints it sees one order in every run.
        selector = SortedCopies.of(selector);
        ports = List.copyOf(ports);
    }

    /** A Service not created yet (or whose creation time is not known): it sorts after every created one. */
    public MeshService(String namespace, String name, boolean headless, Map<String, String> selector, List<Port> ports) {
        this(namespace, name, headless, selector, ports, null);
    }

    /**
     * One Service port.
     *
     * @param targetPort the container port traffic goes to (numeric; a named targetPort must be resolved by the
     *                   caller from the pod's container port names)
     * @param protocol   what istiod makes of the name and appProtocol ({@link ServiceProtocol#of})
     */
    public record Port(String name, int port, int targetPort, ServiceProtocol protocol) {
        public static Port of(String name, int port, int targetPort, String appProtocol) {
            return new Port(name, port, targetPort == 0 ? port : targetPort, ServiceProtocol.of(port, name, "TCP", appProtocol));
        }
    }

    /** The FQDN istiod names the service by: {@code name.namespace.svc.cluster.local}. */
    public String host() {
        return name + "." + namespace + ".svc." + DOMAIN;
    }

    public java.util.Optional<Port> port(int number) {
        for (Port p : ports) {
            if (p.port() == number) {
                return java.util.Optional.of(p);
            }
        }
        return java.util.Optional.empty();
    }

    /** True when the Service selects {@code pod} (same namespace, non-empty selector a subset of its labels). */
    public boolean selects(MeshPod pod) {
        if (!pod.namespace().equals(namespace) || selector.isEmpty()) {
            return false;
        }
        for (Map.Entry<String, String> e : selector.entrySet()) {
            if (!e.getValue().equals(pod.labels().get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }
}

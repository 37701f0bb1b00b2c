package io.meshform.providers.istio.policy;

import io.meshform.engine.spi.SortedCopies;
import io.meshform.providers.kubernetes.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A Kubernetes Service as Istio reads it for the mesh: the pods it selects (same namespace, selector a subset of the
 * pod's labels), whether it is headless ({@code clusterIP: None}: Istio gives each endpoint its own outbound listener
 * and the mTLS decision is all-or-nothing for the service), its ports, and its creation time (null for a Service a
 * plan is about to create), which orders Services that claim the same listener ({@link MeshService#ISTIOD_ORDER}),
 * and its cluster IP (null when headless or not known), which a client's outbound IP-range capture is matched against.
 */
public record ReachService(String namespace, String name, Map<String, String> selector, boolean headless, List<Port> ports,
                           Instant created, String clusterIp) {

    public ReachService {
        // Sorted, not Map.copyOf (randomised per JVM): whatever iterates or prints it sees one order in every run.
        selector = SortedCopies.of(selector);
        ports = List.copyOf(ports);
    }

    /** A Service whose cluster IP is not known (a client's outbound IP-range exclusions cannot be matched to it). */
    public ReachService(String namespace, String name, Map<String, String> selector, boolean headless, List<Port> ports,
                        Instant created) {
        this(namespace, name, selector, headless, ports, created, null);
    }

    /** A Service not created yet: it will be the newest. */
    public ReachService(String namespace, String name, Map<String, String> selector, boolean headless, List<Port> ports) {
        this(namespace, name, selector, headless, ports, null);
    }

    /**
     * One Service port: the number clients dial ({@code port}; DestinationRule {@code portLevelSettings} key on it),
     * its name and {@code appProtocol} (Istio's protocol selection: appProtocol first, then the name's prefix), and the
     * pod's {@code targetPort} (a number or a container port name; the port itself when unset).
     */
    public record Port(int port, String name, String appProtocol, String targetPort) {
        /** The protocol Istio reads: {@code appProtocol}, else the name up to its first '-' (conversion.go ConvertProtocol). */
        public String protocol() {
            String p = appProtocol != null && !appProtocol.isBlank() ? appProtocol
                    : name == null ? "" : name.contains("-") ? name.substring(0, name.indexOf('-')) : name;
            return p.toLowerCase(Locale.ROOT);
        }

        /** {@link ServiceProtocol#serverFirst}: the application behind this port speaks first. */
        public boolean serverFirst() {
            return ServiceProtocol.serverFirst(port, name, appProtocol);
        }
    }

    /** Istio's selection of endpoints: same namespace, a non-empty selector that is a subset of the pod's labels. */
    public boolean selects(ReachPod pod) {
        if (!namespace.equals(pod.namespace()) || selector.isEmpty()) {
            return false;
        }
        for (Map.Entry<String, String> e : selector.entrySet()) {
            if (!e.getValue().equals(pod.labels().get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** The service's in-cluster host name, as DestinationRule hosts resolve it. */
    public String host(String domain) {
        return name + "." + namespace + ".svc." + domain;
    }

    /** From a Service object (JSON as the API server returns it). */
    public static ReachService of(JsonNode service) {
        JsonNode md = service.path("metadata");
        JsonNode spec = service.path("spec");
        List<Port> ports = new ArrayList<>();
        for (JsonNode p : spec.path("ports")) {
            if (!"TCP".equals(Json.text(p, "protocol", "TCP"))) {
                continue;
            }
            int port = p.path("port").asInt();
            JsonNode target = p.path("targetPort");
            String targetPort = target.isMissingNode() || target.isNull() ? Integer.toString(port) : target.asString();
            ports.add(new Port(port, Json.text(p, "name"), Json.text(p, "appProtocol"), targetPort));
        }
        return new ReachService(Json.text(md, "namespace"), Json.text(md, "name"), Json.stringMap(spec.path("selector")),
                "None".equals(Json.text(spec, "clusterIP")), ports, created(Json.text(md, "creationTimestamp")),
                "None".equals(Json.text(spec, "clusterIP")) ? null : Json.text(spec, "clusterIP"));
    }

    private static Instant created(String timestamp) {
        if (timestamp == null || timestamp.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(timestamp);
        } catch (java.time.format.DateTimeParseException e) {
            return null; // the API server always writes RFC 3339; anything else is ordered as not created yet
        }
    }
}

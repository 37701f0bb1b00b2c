package io.meshform.providers.istio.injection;

import io.meshform.providers.kubernetes.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A pod as the injection logic and the mesh checks read it: the few fields they use, taken from the JSON the API
 * server returns ({@link io.meshform.providers.kubernetes.RawReads}), so no run builds fabric8's typed Pod model.
 *
 * @param created         {@code metadata.creationTimestamp} as written (RFC 3339), or null
 * @param deleting        true when {@code metadata.deletionTimestamp} is set
 * @param phase           {@code status.phase}, or null
 * @param containers      {@code spec.containers}
 * @param initContainers  {@code spec.initContainers}
 * @param owners          {@code metadata.ownerReferences}
 * @param podIp           {@code status.podIP}, or null before the pod is scheduled
 */
public record LivePod(String namespace, String name, Map<String, String> labels, Map<String, String> annotations,
                      String created, boolean deleting, String phase, boolean hostNetwork, List<Container> containers,
                      List<Container> initContainers, List<Owner> owners, String podIp) {

    public LivePod {
        labels = java.util.Collections.unmodifiableMap(labels);
        annotations = java.util.Collections.unmodifiableMap(annotations);
        containers = List.copyOf(containers);
        initContainers = List.copyOf(initContainers);
        owners = List.copyOf(owners);
    }

    /**
     * The node type its {@code istio-proxy} container starts as, from its args {@code proxy <type>}: {@code router} for
     * a gateway, {@code waypoint}, {@code sidecar}; empty for a pod without one. Istio 1.30.3's templates start it so
     * (manifests/charts/istio-control/istio-discovery/files: injection-template.yaml, gateway-injection-template.yaml,
     * kube-gateway.yaml, waypoint.yaml; see CoveredWorkloads).
     */
    public java.util.Optional<String> proxyType() {
        return containers.stream().filter(c -> "istio-proxy".equals(c.name()) && c.args().size() >= 2
                && c.args().get(0).equals("proxy")).map(c -> c.args().get(1)).findFirst();
    }

    /**
     * A container: its name, image, {@code restartPolicy} (native sidecars set Always), ports and {@code args} (istio-init's
     * carry the istio-iptables flags the injector resolved).
     */
    public record Container(String name, String image, String restartPolicy, List<Port> ports, List<String> args) {
        public Container {
            ports = List.copyOf(ports);
            args = List.copyOf(args);
        }

        public Container(String name, String image, String restartPolicy, List<Port> ports) {
            this(name, image, restartPolicy, ports, List.of());
        }
    }

    /** A container port; {@code number} is null when the object leaves it out, {@code protocol} when it defaults (TCP). */
    public record Port(Integer number, String name, String protocol) {
    }

    /** An owner reference; {@code controller} only when it says {@code controller: true}. */
    public record Owner(String kind, String name, boolean controller) {
    }

    /** From a Pod object (JSON as the API server returns it, alone or as an item of a LIST). */
    public static LivePod of(JsonNode pod) {
        JsonNode md = pod.path("metadata");
        JsonNode spec = pod.path("spec");
        List<Owner> owners = new ArrayList<>();
        for (JsonNode o : md.path("ownerReferences")) {
            owners.add(new Owner(Json.text(o, "kind"), Json.text(o, "name"), Json.bool(o, "controller")));
        }
        JsonNode deletion = md.get("deletionTimestamp");
        return new LivePod(Json.text(md, "namespace"), Json.text(md, "name"), Json.stringMap(md.get("labels")),
                Json.stringMap(md.get("annotations")), Json.text(md, "creationTimestamp"),
                deletion != null && !deletion.isNull(), Json.text(pod.path("status"), "phase"), Json.bool(spec, "hostNetwork"),
                containers(spec.path("containers")), containers(spec.path("initContainers")), owners,
                Json.text(pod.path("status"), "podIP"));
    }

    private static List<Container> containers(JsonNode list) {
        List<Container> out = new ArrayList<>();
        for (JsonNode c : list) {
            List<Port> ports = new ArrayList<>();
            for (JsonNode p : c.path("ports")) {
                JsonNode n = p.get("containerPort");
                ports.add(new Port(n == null || n.isNull() ? null : n.asInt(), Json.text(p, "name"), Json.text(p, "protocol")));
            }
            List<String> args = new ArrayList<>();
            for (JsonNode a : c.path("args")) {
                args.add(a.asString());
            }
            out.add(new Container(Json.text(c, "name"), Json.text(c, "image"), Json.text(c, "restartPolicy"), ports, args));
        }
        return out;
    }

    public String id() {
        return namespace + "/" + name;
    }
}

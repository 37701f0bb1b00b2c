package io.meshform.providers.istio.policy;

import io.meshform.providers.kubernetes.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * The pod labels istiod's Gateway API deployment controller gives the Deployment it makes for a Gateway, as Istio
 * 1.30.3 renders them: pilot/pkg/config/kube/gatewaycommon/deploymentcontroller.go ({@code configureIstioGateway},
 * {@code extractInfrastructureMetadata}, {@code setLabelOverrides}) fills the template input, and the injector's
 * templates manifests/charts/istio-control/istio-discovery/files/kube-gateway.yaml (class {@code istio}) and
 * waypoint.yaml (class {@code istio-waypoint}) merge three maps into the pod template's labels, later keys winning
 * (pkg/kube/inject/template.go {@code toJsonMap}):
 * <ol>
 *   <li>{@code sidecar.istio.io/inject: "false"}, {@code service.istio.io/canonical-name: DEPLOYMENT},
 *       {@code service.istio.io/canonical-revision: latest} (waypoint.yaml adds {@code istio.io/dataplane-mode: none});</li>
 *   <li>the infrastructure labels: the Gateway's {@code spec.infrastructure.labels} without keys under
 *       {@code gateway.networking.k8s.io/} when that field is set, else a copy of the Gateway's own labels
 *       (PILOT_ENABLE_GATEWAY_API_COPY_LABELS_ANNOTATIONS, on by default); with ambient on, a non-waypoint Gateway
 *       without {@code istio.io/dataplane-mode} among its labels or those gets {@code istio.io/dataplane-mode: none},
 *       and a waypoint whose labels lack {@code topology.istio.io/network} gets the mesh's network when one is set;</li>
 *   <li>{@code gateway.networking.k8s.io/gateway-name: NAME}, {@code gateway.networking.k8s.io/gateway-class-name:
 *       CLASS}, {@code gateway.istio.io/managed}: {@code istio.io-gateway-controller}, or the class's controller
 *       label {@code istio.io-mesh-controller} for waypoints.</li>
 * </ol>
 * DEPLOYMENT is the annotation {@code gateway.istio.io/name-override}, else {@code NAME-CLASS} ({@code
 * GetDefaultName}; a waypoint's is {@code NAME}, its class disabling the suffix). Proven against the test bed's
 * istiod by GatewayDeploymentIT.
 *
 * @param ambient istiod runs with PILOT_ENABLE_AMBIENT (the ambient profile): it serves waypoints and marks other
 *                gateways out of ambient
 * @param network the mesh's {@code values.global.network}, empty when none
 */
public record GatewayPodTemplate(boolean ambient, String network) {
    /** The class of Istio's own gateways ({@code features.GatewayAPIDefaultGatewayClass}). */
    public static final String ISTIO_CLASS = "istio";
    static final String CLASS_LABEL = "gateway.networking.k8s.io/gateway-class-name";
    static final String MANAGED_LABEL = "gateway.istio.io/managed";
    static final String DATAPLANE_MODE = "istio.io/dataplane-mode";
    static final String NETWORK_LABEL = "topology.istio.io/network";
    static final String NAME_OVERRIDE = "gateway.istio.io/name-override";

    /** The default profile: no ambient, no network. */
    public static final GatewayPodTemplate DEFAULT = new GatewayPodTemplate(false, "");

    public GatewayPodTemplate {
        network = network == null ? "" : network;
    }

    /**
     * The labels of the pods istiod makes for {@code gateway} (a Gateway API Gateway object), or empty when istiod
     * makes none for it: a class other than {@code istio} and (with ambient) {@code istio-waypoint}, or
     * {@code spec.addresses} naming more than one address or one that is not an IP address (an existing deployment,
     * {@code IsManaged}). A custom
     * GatewayClass naming Istio's controller is not resolved here: that needs the GatewayClass object.
     */
    public Optional<Map<String, String>> podLabels(JsonNode gateway) {
        JsonNode meta = gateway.path("metadata");
        JsonNode spec = gateway.path("spec");
        String name = Json.text(meta, "name", "");
        String gatewayClass = Json.text(spec, "gatewayClassName", "");
        boolean waypoint = gatewayClass.equals(PolicyTarget.WAYPOINT_CLASS);
        if (!(gatewayClass.equals(ISTIO_CLASS) || waypoint && ambient) || !managed(spec)) {
            return Optional.empty();
        }
        Map<String, String> own = Json.stringMap(meta.path("labels"));
        Map<String, String> infra = infrastructureLabels(spec, own);
        if (ambient && !waypoint && !own.containsKey(DATAPLANE_MODE) && !infra.containsKey(DATAPLANE_MODE)) {
            infra.put(DATAPLANE_MODE, "none");
        }
        if (waypoint && !network.isEmpty() && !own.containsKey(NETWORK_LABEL)) {
            infra.put(NETWORK_LABEL, network);
        }
        Map<String, String> out = new TreeMap<>();
        out.put("sidecar.istio.io/inject", "false");
        if (waypoint) {
            out.put(DATAPLANE_MODE, "none");
        }
        out.put("service.istio.io/canonical-name", deploymentName(gateway));
        out.put("service.istio.io/canonical-revision", "latest");
        out.putAll(infra);
        out.put(PolicyTarget.GATEWAY_NAME_LABEL, name);
        out.put(CLASS_LABEL, gatewayClass);
        out.put(MANAGED_LABEL, waypoint ? "istio.io-mesh-controller" : "istio.io-gateway-controller");
        return Optional.of(out);
    }

    /** The name of the Deployment (and Service, ServiceAccount) istiod makes for {@code gateway}. */
    public static String deploymentName(JsonNode gateway) {
        JsonNode meta = gateway.path("metadata");
        String override = Json.text(meta.path("annotations"), NAME_OVERRIDE, "");
        if (!override.isEmpty()) {
            return override;
        }
        String name = Json.text(meta, "name", "");
        String gatewayClass = Json.text(gateway.path("spec"), "gatewayClassName", "");
        return gatewayClass.equals(PolicyTarget.WAYPOINT_CLASS) ? name : name + "-" + gatewayClass;
    }

    /** {@code extractInfrastructureMetadata}: an explicit {@code labels} map (even empty) wins over the Gateway's. */
    private static Map<String, String> infrastructureLabels(JsonNode spec, Map<String, String> own) {
        JsonNode labels = spec.path("infrastructure").path("labels");
        if (!labels.isObject()) {
            return new LinkedHashMap<>(own);
        }
        Map<String, String> out = new LinkedHashMap<>();
        Json.stringMap(labels).forEach((k, v) -> {
            if (!k.startsWith(PolicyTarget.GATEWAY_API_GROUP + "/")) {
                out.put(k, v); // "ignore this prefix to avoid conflicts"
            }
        });
        return out;
    }

    /** {@code IsManaged} (gatewaycommon/gateway_utils.go): no address, or exactly one that is an IP address. */
    private static boolean managed(JsonNode spec) {
        JsonNode addresses = spec.path("addresses");
        if (!addresses.isArray() || addresses.isEmpty()) {
            return true;
        }
        return addresses.size() == 1 && Json.text(addresses.get(0), "type", "IPAddress").equals("IPAddress");
    }
}

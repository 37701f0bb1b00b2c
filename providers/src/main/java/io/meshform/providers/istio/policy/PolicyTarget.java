package io.meshform.providers.istio.policy;

import io.meshform.providers.kubernetes.Json;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * One {@code targetRef} of a policy. istiod reads {@code targetRefs}, and the single {@code targetRef} only when
 * {@code targetRefs} is empty ({@code GetTargetRefs}, pilot/pkg/model/policyattachment.go, Istio 1.30.3).
 *
 * @param group     as written; empty is the core group
 * @param kind      Gateway, GatewayClass, Service or ServiceEntry (pkg/config/validation/validation.go
 *                  {@code allowedTargetRefs})
 * @param name      the target's name
 * @param namespace as written, usually empty: validation refuses any other value, and istiod never matches one that
 *                  differs from the workload's namespace
 */
public record PolicyTarget(String group, String kind, String name, String namespace) {
    /** The Gateway API group whose Gateway a policy may target. */
    public static final String GATEWAY_API_GROUP = "gateway.networking.k8s.io";
    /** The label istiod reads to know which Gateway API Gateway a proxy's pod belongs to ({@code workloadGatewayName}). */
    public static final String GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name";
    /** The GatewayClass of Istio's waypoints (pkg/config/constants {@code WaypointGatewayClassName}). */
    public static final String WAYPOINT_CLASS = "istio-waypoint";

    /** The targets of a policy spec, as {@code GetTargetRefs} reads them; empty when it names none. */
    public static List<PolicyTarget> of(JsonNode spec) {
        return refs(spec).stream().map(PolicyTarget::from).toList();
    }

    /**
     * The policy's {@code targetRefs} entries as written, else its single {@code targetRef} ({@code GetTargetRefs});
     * for checks that point at or compare the entries themselves.
     */
    public static List<JsonNode> refs(JsonNode spec) {
        List<JsonNode> out = new ArrayList<>();
        spec.path("targetRefs").forEach(out::add);
        if (out.isEmpty() && spec.path("targetRef").isObject()) {
            out.add(spec.path("targetRef"));
        }
        return List.copyOf(out);
    }

    private static PolicyTarget from(JsonNode t) {
        return new PolicyTarget(Json.text(t, "group", ""), Json.text(t, "kind", ""), Json.text(t, "name", ""),
                Json.text(t, "namespace", ""));
    }

    /** A Gateway API Gateway ({@code matchesGroupKind} with {@code gvk.KubernetesGateway}). */
    public boolean gateway() {
        return kind.equals("Gateway") && group.equals(GATEWAY_API_GROUP);
    }

    /** A Kubernetes Service ({@code gvk.Service}: group empty, which istiod reads as {@code core}). */
    public boolean service() {
        return kind.equals("Service") && (group.isEmpty() || group.equals("core"));
    }

    /** An Istio ServiceEntry ({@code gvk.ServiceEntry}). */
    public boolean serviceEntry() {
        return kind.equals("ServiceEntry") && group.equals("networking.istio.io");
    }

    /** The GatewayClass of every waypoint ({@code constants.WaypointGatewayClassName}). */
    public boolean waypointClass() {
        return kind.equals("GatewayClass") && group.equals(GATEWAY_API_GROUP) && name.equals(WAYPOINT_CLASS);
    }

    /** How the target reads in a message: "Gateway ns/public", "Service ns/api". */
    public String in(String policyNamespace) {
        return kind + " " + (namespace.isEmpty() ? policyNamespace : namespace) + "/" + name;
    }

    @Override
    public String toString() {
        return kind + (group.isEmpty() ? "" : "." + group) + " " + name;
    }
}

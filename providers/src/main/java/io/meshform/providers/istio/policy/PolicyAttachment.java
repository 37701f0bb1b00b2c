package io.meshform.providers.istio.policy;

import java.util.List;
import java.util.Map;

/**
 * Whether istiod attaches an AuthorizationPolicy to a gateway pod (a proxy started as {@code proxy router}), as
 * Istio 1.30.3 decides it: {@code ListAuthorizationPolicies} (pilot/pkg/model/authorization.go) looks only at the
 * policies in the root namespace and in the pod's own namespace, and takes each for which
 * {@code WorkloadPolicyMatcher.ShouldAttachPolicy} (pilot/pkg/model/policyattachment.go) says yes:
 * <ul>
 *   <li>Targets are {@code targetRefs}, else the single {@code targetRef} ({@code GetTargetRefs}).</li>
 *   <li>A pod without the label {@code gateway.networking.k8s.io/gateway-name} (a sidecar, a gateway istioctl or the
 *   gateway Helm chart installs) takes no policy that has targets, whatever they name, and a policy without targets
 *   when its selector is absent or a subset of the pod's labels ({@code isSelected}).</li>
 *   <li>A pod with that label (a Gateway API gateway) takes a policy without targets the same way, by its selector
 *   ({@code ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY}, default true, pilot/pkg/features/pilot.go); a policy with
 *   targets when one of them is {@code kind: Gateway}, group {@code gateway.networking.k8s.io}, named as the label's
 *   value, the policy lives in the pod's own namespace (a root-namespace policy reaches only gateways in the root
 *   namespace) and the target's {@code namespace} is empty or the pod's. The selector is not read then.</li>
 *   <li>Targets of kind Service or ServiceEntry, and the GatewayClass {@code istio-waypoint} from the root namespace,
 *   attach to waypoints only ({@code p.IsWaypoint}); a gateway pod never takes them ({@link #waypointOnly}). A waypoint
 *   takes no policy without targets ({@link #attachesToWaypoint}).</li>
 * </ul>
 * A policy with both a selector and targets, or with both {@code targetRef} and {@code targetRefs}, is refused by
 * validation ("only one of targetRefs or workloadSelector can be set", {@code validateOneOfSelectorType},
 * pkg/config/validation/validation.go), so no such policy is live; meshform's own validation reports it in the stack.
 */
public final class PolicyAttachment {
    private PolicyAttachment() {
    }

    /**
     * Whether the policy attaches to a gateway pod in {@code namespace} with {@code labels}, the mesh's root namespace
     * being {@code rootNamespace}.
     */
    public static boolean attaches(AuthzPolicy p, String namespace, Map<String, String> labels, String rootNamespace) {
        return attaches(p.namespace(), p.selector(), p.targets(), namespace, labels, rootNamespace);
    }

    /**
     * {@link #attaches(AuthzPolicy, String, Map, String)} on a proxy served by the istiod of {@code proxyRevision} (null:
     * not known): that istiod must also read the policy ({@link ConfigRevision#readBy}); a policy labelled for another
     * revision is not in its config store, so it attaches to none of its proxies.
     */
    public static boolean attaches(AuthzPolicy p, String namespace, Map<String, String> labels, String proxyRevision,
                                   String rootNamespace) {
        return ConfigRevision.readBy(p.revision(), proxyRevision) && attaches(p, namespace, labels, rootNamespace);
    }

    /**
     * The same rule for any policy kind istiod attaches this way (an EnvoyFilter's {@code workloadSelector} and
     * {@code targetRefs} too): one in {@code policyNamespace} with {@code selector} (null or empty: none) and
     * {@code targets}, on a gateway pod in {@code namespace} with {@code labels}.
     */
    public static boolean attaches(String policyNamespace, Map<String, String> selector, List<PolicyTarget> targets,
                                   String namespace, Map<String, String> labels, String rootNamespace) {
        if (!namespace.equals(policyNamespace) && !rootNamespace.equals(policyNamespace)) {
            return false;
        }
        if (targets.isEmpty()) {
            return selector == null || selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
        }
        String gateway = labels.get(PolicyTarget.GATEWAY_NAME_LABEL);
        if (gateway == null || !namespace.equals(policyNamespace)) {
            return false;
        }
        return targets.stream().anyMatch(t -> t.gateway() && t.name().equals(gateway)
                && (t.namespace().isEmpty() || t.namespace().equals(namespace)));
    }

    /**
     * Whether a policy without targets, in {@code policyNamespace} with {@code selector} (null or empty: none), attaches
     * to a proxy in {@code namespace} with {@code labels}: by {@link #attaches}, except on a waypoint ({@code waypoint}
     * true: a pod whose istio-proxy starts as {@code proxy waypoint}), which never takes one ("waypoints never use
     * selector", {@code ShouldAttachPolicy}, pilot/pkg/model/policyattachment.go; {@link #attachesToWaypoint}).
     */
    public static boolean attachesBySelector(String policyNamespace, Map<String, String> selector, String namespace,
                                             Map<String, String> labels, boolean waypoint, String rootNamespace) {
        return !waypoint && attaches(policyNamespace, selector, List.of(), namespace, labels, rootNamespace);
    }

    /**
     * The same rule for a waypoint (a proxy started as {@code proxy waypoint}, {@code p.IsWaypoint}): it takes no policy
     * without targets, whatever its selector ("waypoints never use selector"); it takes one whose target is a Service
     * or ServiceEntry it serves for this request ({@code served}: kind {@code Service} for the Kubernetes registry,
     * {@code ServiceEntry} for the external one, with the service's namespace) when the policy lives in that service's
     * namespace, the GatewayClass {@code istio-waypoint} when the policy lives in the root namespace, or its own Gateway
     * ({@code gatewayName}, in {@code namespace}) when the policy lives there. {@code namespace} and {@code gatewayName}
     * null: which waypoint it is is not known, so no Gateway target matches.
     */
    public static boolean attachesToWaypoint(String policyNamespace, List<PolicyTarget> targets, String namespace,
                                             String gatewayName, List<PolicyTarget> served, String rootNamespace) {
        for (PolicyTarget t : targets) {
            if ((t.service() || t.serviceEntry()) && served.stream().anyMatch(s -> s.kind().equals(t.kind())
                    && s.name().equals(t.name()) && s.namespace().equals(policyNamespace))) {
                return true;
            }
            if (t.waypointClass() && rootNamespace.equals(policyNamespace)) {
                return true;
            }
            if (namespace != null && namespace.equals(policyNamespace) && t.gateway() && t.name().equals(gatewayName)
                    && (t.namespace().isEmpty() || t.namespace().equals(namespace))) {
                return true;
            }
        }
        return false;
    }

    /** The policy's targets only a waypoint takes (Service, ServiceEntry, GatewayClass): no gateway pod is judged by them. */
    public static List<PolicyTarget> waypointOnly(AuthzPolicy p) {
        return p.targets().stream().filter(t -> !t.gateway()).toList();
    }
}

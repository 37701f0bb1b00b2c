package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.providers.istio.policy.AuthzPolicy;
import io.meshform.providers.istio.policy.PolicyAttachment;
import io.meshform.providers.istio.policy.PolicyTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * AuthorizationPolicies whose targetRefs name a Service, a ServiceEntry or a GatewayClass: istiod attaches such a
 * target to waypoints only ({@code p.IsWaypoint} in {@code ShouldAttachPolicy}, pilot/pkg/model/policyattachment.go,
 * Istio 1.30.3), and ingress coverage judges gateway pods, not waypoints ({@link CoveredWorkloads}). Left out without a
 * word, a DENY policy on the gateway's Service reads as if it guarded the gateway, and a CUSTOM policy on a Service
 * would have no table at all; so the gateway's note lists the policies it did not count, a CUSTOM policy of the
 * stack that targets nothing a gateway takes gets a note saying it was not judged, and one that targets a Gateway and
 * a waypoint's target too gets a note saying only its Gateways' pods were judged.
 */
final class WaypointTargets {
    private WaypointTargets() {
    }

    /**
     * The header's tail for a judged workload: the policies istiod looks at for it (its namespace and the root
     * namespace) that it does not take because their targets are for waypoints; empty when there are none.
     */
    static String notCounted(List<AuthzPolicy> policies, CoveredWorkloads.Workload w, String root) {
        List<String> named = new ArrayList<>();
        for (AuthzPolicy p : policies) {
            List<PolicyTarget> waypoint = PolicyAttachment.waypointOnly(p);
            if (!waypoint.isEmpty() && (p.namespace().equals(w.namespace()) || p.namespace().equals(root))
                    && !PolicyAttachment.attaches(p, w.namespace(), w.labels(), root)) {
                named.add(p.action() + " " + p.id() + " (targetRefs " + join(waypoint) + ")");
            }
        }
        return named.isEmpty() ? "" : "; not counted, as istiod attaches their targets to waypoints only: "
                + String.join(", ", named);
    }

    /**
     * A note for each CUSTOM policy of the run ({@code ours}) with targetRefs none of which is a Gateway: no gateway
     * takes it, so there is nothing to judge, and the plan says so rather than saying nothing.
     */
    static List<Diagnostic> notJudged(List<AuthzPolicy> policies, Predicate<AuthzPolicy> ours, Map<AuthzPolicy, PlannedObject> objects) {
        List<Diagnostic> out = new ArrayList<>();
        for (AuthzPolicy p : policies) {
            List<PolicyTarget> waypoint = PolicyAttachment.waypointOnly(p);
            if (p.action().equals("CUSTOM") && p.targeted() && !waypoint.isEmpty() && waypoint.size() < p.targets().size() && ours.test(p)) {
                PlannedObject at = objects.get(p);
                out.add(Diagnostic.info("ingress coverage: " + p.id() + " is judged on the pods of the Gateways its targetRefs"
                                + " name, not on its other targets " + join(waypoint) + ", which istiod attaches to waypoints only",
                        "ingress coverage judges gateway pods; a Service, ServiceEntry or GatewayClass target reaches only a"
                                + " waypoint (ShouldAttachPolicy, pilot/pkg/model/policyattachment.go), whose traffic this check"
                                + " does not model, so the requests a waypoint sends to the auth proxy are not judged",
                        at == null ? null : at.range(at.object().path("spec").has("targetRefs") ? "/spec/targetRefs" : "/spec/targetRef")));
            }
            if (p.action().equals("CUSTOM") && p.targeted() && waypoint.size() == p.targets().size() && ours.test(p)) {
                PlannedObject at = objects.get(p);
                out.add(Diagnostic.info("ingress coverage: " + p.id() + " is not judged: its targetRefs name "
                                + join(waypoint) + ", which istiod attaches to waypoints only",
                        "ingress coverage judges gateway pods (istio-proxy started as `proxy router`); a Service, ServiceEntry"
                                + " or GatewayClass target reaches only a waypoint (ShouldAttachPolicy,"
                                + " pilot/pkg/model/policyattachment.go), whose traffic this check does not model. To guard"
                                + " a Gateway API gateway, target its Gateway (kind: Gateway, group: "
                                + PolicyTarget.GATEWAY_API_GROUP + "); for a gateway istioctl installs, use a selector",
                        at == null ? null : at.range(at.object().path("spec").has("targetRefs") ? "/spec/targetRefs" : "/spec/targetRef")));
            }
        }
        return out;
    }

    private static String join(List<PolicyTarget> targets) {
        return String.join(", ", targets.stream().map(PolicyTarget::toString).toList());
    }
}

package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.providers.istio.injection.LivePod;
import io.meshform.providers.istio.injection.Sidecars;
import io.meshform.providers.istio.policy.PolicyTarget;
import java.util.List;
import java.util.Optional;

/**
 * Which running proxies an AuthorizationPolicy with {@code targetRef}/{@code targetRefs} can attach to. istiod ignores
 * such a policy for every proxy whose pod lacks the label {@code gateway.networking.k8s.io/gateway-name}, that is,
 * for sidecars and the gateways istioctl installs ("if targetRef is specified, ignore the policy altogether",
 * {@code ShouldAttachPolicy}, pilot/pkg/model/policyattachment.go, Istio 1.30.3). A labelled pod (a Gateway API
 * gateway or a waypoint) takes it when a target is its Gateway, in the policy's namespace; or, for a waypoint, a
 * Service or ServiceEntry it serves, or the waypoint GatewayClass from the root namespace. Those waypoint cases are
 * counted as attachable whenever any labelled pod runs, so the warning is only given when no proxy can take the policy.
 */
final class TargetRefs {
    static final String GATEWAY_NAME = PolicyTarget.GATEWAY_NAME_LABEL;

    private TargetRefs() {
    }

    /**
     * The warning for a policy none of whose {@code targets} ({@link PolicyTarget#of}) a running proxy takes; empty when
     * one may. A target is a Gateway by {@link PolicyTarget#gateway}, the one rule every check uses.
     */
    static Optional<Diagnostic> unattached(PlannedObject o, String action, List<PolicyTarget> targets, PlannedMesh mesh) {
        List<LivePod> labelled = mesh.cluster().pods().stream()
                .filter(p -> p.labels().containsKey(GATEWAY_NAME) && !Sidecars.finished(p)).toList();
        for (PolicyTarget t : targets) {
            if (t.gateway() && (t.namespace().isEmpty() || t.namespace().equals(o.namespace())) && labelled.stream().anyMatch(p ->
                    p.namespace().equals(o.namespace()) && p.labels().get(GATEWAY_NAME).equals(t.name()))) {
                return Optional.empty();
            }
            if (!t.gateway() && !labelled.isEmpty()) {
                return Optional.empty(); // a waypoint may serve it
            }
        }
        String what = action.equals("CUSTOM") ? "no request is sent to the auth proxy" : "nothing is denied";
        return Optional.of(Diagnostic.warning(o.decl().address() + ": the " + action + " policy's targetRefs match no running"
                        + " Gateway API gateway or waypoint, and istiod ignores a policy with targetRefs on every other proxy",
                what + ": sidecars and the gateways istioctl installs (e.g. istio-ingressgateway) never take a policy with"
                        + " targetRef(s), whatever it names (ShouldAttachPolicy, pilot/pkg/model/policyattachment.go); a Gateway"
                        + " target needs a running pod labelled " + GATEWAY_NAME + "=<its name> in namespace " + o.namespace()
                        + ". To reach istioctl's ingress gateway, use selector: {matchLabels: {istio: ingressgateway}} instead",
                o.range(o.object().path("spec").has("targetRefs") ? "/spec/targetRefs" : "/spec/targetRef")));
    }
}

package io.meshform.providers.istio.checks;

import io.meshform.providers.istio.injection.LivePod;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.istio.injection.Sidecars;
import io.meshform.providers.istio.policy.AuthzPolicy;
import io.meshform.providers.istio.policy.ConfigRevision;
import io.meshform.providers.istio.policy.PolicyAttachment;
import io.meshform.providers.istio.policy.PolicyTarget;
import io.meshform.providers.kubernetes.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * A CUSTOM or DENY AuthorizationPolicy of the stack whose selector matches no running pod in the mesh ({@link
 * #proxied}): Istio accepts it and enforces nothing, since a policy acts in the proxy, so a mistyped gateway label
 * leaves every ingress request unchecked by the auth proxy. Unlike a
 * PeerAuthentication, a selector in the root namespace reaches workloads in every namespace
 * ({@code ShouldAttachPolicy}, pilot/pkg/model/policyattachment.go; the analyzer's {@code meshWidePolicy},
 * pkg/config/analysis/analyzers/authz/authorizationpolicies.go, which reports the same as IST0127 for any action).
 * A dry-run policy ({@link AuthzPolicy#isDryRun}) is reported too, for what it does instead: a DENY one is only
 * logged, a CUSTOM one denies what it matches ({@link io.meshform.providers.istio.policy.GatewayAuthz}).
 * A policy with {@code targetRefs} instead of a selector is judged by {@link TargetRefs}: istiod attaches it to Gateway
 * API gateways and waypoints only, never to sidecars or istioctl's gateways.
 * A waypoint pod (istio-proxy started as {@code proxy waypoint}) is not counted: istiod never attaches a selector
 * policy to a waypoint ("waypoints never use selector", {@code ShouldAttachPolicy}; {@link PolicyAttachment#attachesBySelector}),
 * so a DENY policy whose selector matches only a waypoint's labels enforces nothing.
 * A pod counts only when its istiod reads the policy ({@link ConfigRevision#readBy}): one labelled {@code istio.io/rev}
 * for the canary that matches only the old revision's pods enforces nothing on them.
 * Judged only once a control plane runs: the gateway it selects may come with the install this very plan makes.
 */
public final class AuthorizationSelectsNothing extends MeshCheck {
    AuthorizationSelectsNothing(Function<CheckContext, PlannedMesh> mesh) {
        super("authorization-selects-nothing", NEEDS_CLUSTER, mesh, AuthorizationSelectsNothing::findings);
    }

    public static List<Diagnostic> findings(PlannedMesh mesh) {
        List<Diagnostic> out = new ArrayList<>();
        String root = null;
        for (PlannedObject o : mesh.planned()) {
            JsonNode s = o.object().path("spec");
            String action = Json.text(s, "action", "ALLOW");
            Map<String, String> labels = Json.stringMap(s.path("selector").path("matchLabels"));
            List<PolicyTarget> targets = PolicyTarget.of(s);
            if (!"AuthorizationPolicy".equals(o.kind()) || (labels.isEmpty() && targets.isEmpty())
                    || !(action.equals("CUSTOM") || action.equals("DENY"))) {
                continue;
            }
            if (!mesh.cluster().controlPlane()) {
                return out;
            }
            if (!mesh.readByIstiod(o.object())) {
                continue; // labelled for a revision no istiod serves: config-revision-ignored says so
            }
            root = root == null ? mesh.rootNamespace() : root;
            String ns = o.namespace();
            if (!targets.isEmpty()) {
                TargetRefs.unattached(o, action, targets, mesh).ifPresent(out::add);
                continue;
            }
            boolean meshWide = root.equals(ns);
            boolean any = false;
            List<String> waypoints = new ArrayList<>();
            String label = ConfigRevision.of(o.object());
            java.util.TreeSet<String> otherRevisions = new java.util.TreeSet<>();
            Map<String, Map<String, String>> nsLabels = mesh.namespaceLabels();
            for (LivePod p : mesh.cluster().pods()) {
                if (Sidecars.finished(p) || !proxied(p, nsLabels.get(p.namespace()))) {
                    continue;
                }
                // a waypoint never takes a selector policy, whatever its labels (PolicyAttachment.attachesBySelector)
                boolean waypoint = p.proxyType().filter("waypoint"::equals).isPresent();
                if (PolicyAttachment.attachesBySelector(ns, labels, p.namespace(), p.labels(), waypoint, root)) {
                    // only the istiod of the pod's revision configures its proxy (ConfigRevision#readBy); a pod still
                    // without a sidecar gets its revision when it restarts, so it counts
                    String revision = Sidecars.hasSidecar(p) ? Sidecars.revisionOf(p) : null;
                    if (ConfigRevision.readBy(label, revision)) {
                        any = true;
                        break;
                    }
                    otherRevisions.add(revision);
                    continue;
                }
                if (waypoint && PolicyAttachment.attachesBySelector(ns, labels, p.namespace(), p.labels(), false, root)) {
                    waypoints.add(p.namespace() + "/" + p.name());
                }
            }
            if (any) {
                continue;
            }
            String onlyWaypoints = waypoints.isEmpty() ? "" : ". It matches only the waypoint pod(s) " + String.join(", ", waypoints)
                    + ", and istiod attaches no selector policy to a waypoint (ShouldAttachPolicy, pilot/pkg/model/policyattachment.go):"
                    + " to guard what a waypoint serves, use targetRefs (its Service, or its Gateway) instead of the selector";
            boolean dryRun = AuthzPolicy.isDryRun(o.object());
            String where = meshWide ? "any namespace (" + ns + " is the root namespace)" : "namespace " + ns;
            String matches = otherRevisions.isEmpty() ? " matches no running pod in the mesh in " + where
                    : " matches only running pods in " + where + " that revision " + String.join(", ", otherRevisions)
                    + " serves, whose istiod does not read it (it is labelled " + ConfigRevision.LABEL + "=" + label + ")";
            out.add(Diagnostic.warning(o.decl().address() + ": the " + action + " policy's selector " + labels + matches,
                    (dryRun && action.equals("DENY") ? "nothing is logged (the policy is dry-run, " + AuthzPolicy.DRY_RUN
                            + "): the workloads it should watch are"
                            : dryRun ? "nothing is denied (the policy is dry-run, so istiod enforces its rules as DENY rules):"
                            + " the workloads it should guard are"
                            : action.equals("CUSTOM") ? "no request is sent to the auth proxy: the workloads it should guard are"
                            : "nothing is denied: the workloads it should guard are")
                            + " either not running or labelled differently; compare with `kubectl get pods "
                            + (meshWide ? "-A" : "-n " + ns) + " --show-labels`" + onlyWaypoints, o.range("/spec/selector/matchLabels")));
        }
        return out;
    }

    /**
     * A pod in the mesh, as Istio's analyzer counts it ({@code PodInMesh} and {@code PodInAmbientMode},
     * pkg/config/analysis/analyzers/util/in_mesh.go): it has a sidecar, or ambient redirection, or it asks for
     * injection ({@code sidecar.istio.io/inject}, label before annotation), or, asking nothing, its namespace injects
     * (a pod there without a sidecar yet gets one when it restarts; the injection check reports it meanwhile).
     */
    static boolean proxied(LivePod p, Map<String, String> namespaceLabels) {
        Map<String, String> annotations = p.annotations();
        Map<String, String> labels = p.labels();
        if (Sidecars.hasSidecar(p) || "enabled".equals(annotations.get("ambient.istio.io/redirection"))) {
            return true;
        }
        String asked = labels.containsKey("sidecar.istio.io/inject") ? labels.get("sidecar.istio.io/inject")
                : annotations.get("sidecar.istio.io/inject");
        if (asked != null) {
            return "true".equals(asked);
        }
        return io.meshform.providers.istio.injection.Injection.of(namespaceLabels).enabled();
    }

    /** None: in drift the mesh config it reads is the live one ({@link PlannedMesh#meshConfig}), not the applied install. */
    @Override
    public java.util.Set<String> installFields() {
        return java.util.Set.of();
    }
}

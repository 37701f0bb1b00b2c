package io.meshform.providers.istio.checks;

import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.istio.injection.LivePod;
import io.meshform.providers.istio.injection.Sidecars;
import io.meshform.providers.istio.policy.AuthzPolicy;
import io.meshform.providers.istio.policy.PolicyAttachment;
import io.meshform.providers.istio.policy.PolicyTarget;
import io.meshform.providers.istio.policy.TokenRequirement.PartlyAttached;
import io.meshform.providers.kubernetes.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The workloads a RequestAuthentication acts on, and which AuthorizationPolicies istiod attaches to all or some of
 * them, decided by {@link PolicyAttachment} (istiod's one rule, {@code ShouldAttachPolicy},
 * pilot/pkg/model/policyattachment.go, Istio 1.30.3; {@code getConfigsForWorkload}, pilot/pkg/model/authentication.go,
 * selects the RequestAuthentication by the same rule as {@code ListAuthorizationPolicies},
 * pilot/pkg/model/authorization.go, selects the policies):
 * <ul>
 *   <li>By selector: the sidecars and gateway pods in its namespace (every namespace from the root one) whose labels
 *   include it; never a waypoint. A policy attaches to all of them when it attaches to such a pod labelled exactly as
 *   the selector (attachment only grows with labels), to some when it attaches to one that also carries the labels
 *   the policy asks for (its selector's other labels, or the {@code gateway-name} label of a Gateway it targets), in
 *   the policy's namespace for a root-namespace RequestAuthentication.</li>
 *   <li>By a Gateway target: the pods of that Gateway. A Gateway API gateway's pods take policies as a pod labelled as
 *   {@link GatewayPods} says does (selectors included: its running pods' labels, else istiod's gateway template on the
 *   Gateway object; a Gateway istiod makes no pods for is not judged); a waypoint's take only targeted
 *   ones, and one targeting a Service takes it only for requests to that Service. Which of the two the Gateway is comes
 *   from the stack's Gateway ({@code gatewayClassName: istio-waypoint}) or, at plan, its running pods
 *   ({@code proxy router} or {@code proxy waypoint}); when neither tells, both are judged.</li>
 *   <li>By a Service, ServiceEntry or GatewayClass target: only a waypoint takes it. Policies with the same target, and
 *   root-namespace ones on the {@code istio-waypoint} GatewayClass, attach there; one on a waypoint's own Gateway
 *   attaches only if that waypoint serves the Service, which this check does not model, so both outcomes are judged.</li>
 * </ul>
 */
final class TokenScopes {
    /** A namespace name Kubernetes refuses: a pod "in another namespace" than every policy's. */
    private static final String ELSEWHERE = "(another namespace)";

    private TokenScopes() {
    }

    /**
     * One set of workloads, judged once per case the check cannot tell apart.
     *
     * @param described how messages name the workloads
     * @param fix       how the fix's policy reaches them ({@code " with selector: ..."}), empty for a whole namespace
     * @param labelled  for a Gateway's pods, which labels they were judged with ({@link GatewayPods#basis}, as
     *                  "; the pods of Gateway ns/name labelled ..."), else empty
     * @param cases     one per alternative, the first the one the wording follows when all agree
     */
    record Scope(String described, String fix, String labelled, List<Case> cases) {
    }

    /**
     * What attaches to the workloads in one case.
     *
     * @param condition      when the case holds ("if Gateway web/public is a waypoint"), empty when it is the only one
     * @param attachedToNone the policies that would take some of the workloads if they carried more labels, where
     *                       their labels are known exactly ({@link GatewayPods#exact}), so none does: in words
     */
    record Case(String condition, List<AuthzPolicy> attached, List<PartlyAttached> partly, List<String> attachedToNone) {
        Case {
            attachedToNone = List.copyOf(attachedToNone);
        }

        Case(String condition, List<AuthzPolicy> attached, List<PartlyAttached> partly) {
            this(condition, attached, partly, List.of());
        }
    }

    /** The scopes of the RequestAuthentication {@code o}: one for a selector, one per target. */
    static List<Scope> of(PlannedObject o, List<AuthzPolicy> policies, String root, PlannedMesh mesh) {
        JsonNodeSpec spec = new JsonNodeSpec(o);
        String ns = o.namespace();
        if (spec.targets().isEmpty()) {
            Map<String, String> selector = spec.selector();
            boolean meshWide = root.equals(ns);
            String described = (selector.isEmpty() ? "every workload" : "the workloads labelled " + selector)
                    + (meshWide ? " in every namespace (" + ns + " is the root namespace)" : " in namespace " + ns);
            String fix = selector.isEmpty() ? "" : " with selector: {matchLabels: " + Json.MAPPER.writeValueAsString(selector) + "}";
            return List.of(new Scope(described, fix, "", List.of(bySelector("", selector, false, ns, meshWide, policies, root, mesh))));
        }
        List<Scope> out = new ArrayList<>();
        for (PolicyTarget t : spec.targets()) {
            if (!t.namespace().isEmpty() && !t.namespace().equals(ns)) {
                continue; // istiod never matches a target in another namespace (and validation refuses it)
            }
            String fix = " with targetRefs: [{group: " + (t.group().isEmpty() ? "\"\"" : t.group()) + ", kind: " + t.kind()
                    + ", name: " + t.name() + "}]";
            if (t.gateway()) {
                String gateway = "Gateway " + ns + "/" + t.name();
                Optional<Boolean> waypoint = waypoint(mesh, ns, t.name());
                GatewayPods pods = GatewayPods.of(mesh, ns, t.name());
                if (waypoint.equals(Optional.of(false)) && pods.labels().isEmpty()) {
                    continue; // istiod makes no pods for this Gateway: the RequestAuthentication acts on none
                }
                Case asWaypoint = onWaypoint(waypoint.isEmpty() ? "if " + gateway + " is a waypoint (gatewayClassName "
                        + PolicyTarget.WAYPOINT_CLASS + ", which takes no policy by selector)" : "", ns, t.name(), policies, root);
                List<Case> cases = waypoint.orElse(false) ? List.of(asWaypoint) : new ArrayList<>();
                if (!waypoint.orElse(false)) {
                    cases.add(bySelector(waypoint.isEmpty() ? "if " + gateway + " is a Gateway API gateway" : "",
                            pods.labels().orElseThrow(), pods.exact(), ns, false, policies, root, mesh));
                    if (waypoint.isEmpty()) {
                        cases.add(asWaypoint);
                    }
                }
                String labelled = waypoint.orElse(false) ? "" : "; the pods of " + gateway + " labelled " + pods.basis()
                        + ": " + pods.labels().orElseThrow();
                out.add(new Scope("the pods of " + gateway + (waypoint.orElse(false) ? " (a waypoint)" : ""), fix, labelled, cases));
            } else {
                out.add(onServed(t, ns, fix, policies, root));
            }
        }
        return out;
    }

    /**
     * The pods in {@code ns} (every namespace when {@code meshWide}) whose labels include {@code selector}; with {@code
     * exact}, the pods labelled {@code selector} and nothing else (a Gateway's pods as its object gives them, {@link
     * GatewayPods#exact}): a policy that asks for a label they lack (a Gateway's own label, which its {@code
     * spec.infrastructure.labels} replace: {@code extractInfrastructureMetadata},
     * pilot/pkg/config/kube/gatewaycommon/deploymentcontroller.go) attaches to none of them, not to some.
     */
    private static Case bySelector(String condition, Map<String, String> selector, boolean exact, String ns, boolean meshWide,
                                   List<AuthzPolicy> policies, String root, PlannedMesh mesh) {
        List<AuthzPolicy> attached = new ArrayList<>();
        List<PartlyAttached> partly = new ArrayList<>();
        List<String> attachedToNone = new ArrayList<>();
        for (AuthzPolicy p : policies) {
            if (PolicyAttachment.attaches(p, meshWide ? ELSEWHERE : ns, selector, root)) {
                attached.add(p);
                continue;
            }
            String podNamespace = meshWide ? p.namespace() : ns;
            List<String> where = new ArrayList<>();
            List<String> missing = new ArrayList<>();
            for (Map<String, String> asked : asked(p, mesh)) {
                Optional<Map<String, String>> labels = merged(selector, asked);
                if (labels.isPresent() && PolicyAttachment.attaches(p, podNamespace, labels.get(), root)) {
                    Map<String, String> extra = new TreeMap<>(asked);
                    extra.keySet().removeAll(selector.keySet());
                    boolean otherNamespace = meshWide && !root.equals(p.namespace());
                    if (exact) {
                        missing.add(p.targeted() ? "the labels of Gateway " + p.namespace() + "/"
                                + asked.get(PolicyTarget.GATEWAY_NAME_LABEL) + "'s pods" : "labels " + extra);
                        continue;
                    }
                    where.add(p.targeted() ? "the pods of Gateway " + p.namespace() + "/" + asked.get(PolicyTarget.GATEWAY_NAME_LABEL)
                            : (otherNamespace ? "namespace " + p.namespace() : "") + (otherNamespace && !extra.isEmpty() ? ", " : "")
                            + (extra.isEmpty() ? "" : "the workloads also labelled " + extra));
                }
            }
            if (!missing.isEmpty()) {
                attachedToNone.add(p.action() + " " + p.id() + " asks for " + String.join(" or ", missing)
                        + ", which none of them carries");
            }
            if (!where.isEmpty()) {
                partly.add(new PartlyAttached(p, String.join(", ", where)));
            }
        }
        return new Case(condition, attached, partly, attachedToNone);
    }

    /**
     * The labels of the pods the policy attaches to: a pod labelled as its selector, or a pod of each Gateway it targets
     * ({@link GatewayPods}; none for a Gateway istiod makes no pods for).
     */
    private static List<Map<String, String>> asked(AuthzPolicy p, PlannedMesh mesh) {
        if (!p.targeted()) {
            return List.of(p.selector() == null ? Map.of() : p.selector());
        }
        return p.targets().stream().filter(PolicyTarget::gateway)
                .flatMap(t -> GatewayPods.of(mesh, p.namespace(), t.name()).labels().stream()).distinct().toList();
    }

    private static Optional<Map<String, String>> merged(Map<String, String> a, Map<String, String> b) {
        Map<String, String> out = new TreeMap<>(a);
        for (var e : b.entrySet()) {
            if (out.containsKey(e.getKey()) && !out.get(e.getKey()).equals(e.getValue())) {
                return Optional.empty(); // a label disagrees: no pod has both
            }
            out.put(e.getKey(), e.getValue());
        }
        return Optional.of(out);
    }

    /**
     * The pods of the waypoint Gateway {@code name} in {@code ns}: policies on it, or on the waypoint GatewayClass, take
     * all its requests; one on a Service or ServiceEntry takes only the requests to it, if this waypoint serves it.
     */
    private static Case onWaypoint(String condition, String ns, String name, List<AuthzPolicy> policies, String root) {
        List<AuthzPolicy> attached = new ArrayList<>();
        List<PartlyAttached> partly = new ArrayList<>();
        for (AuthzPolicy p : policies) {
            if (PolicyAttachment.attachesToWaypoint(p.namespace(), p.targets(), ns, name, List.of(), root)) {
                attached.add(p);
            } else {
                List<String> served = p.targets().stream().filter(t -> t.service() || t.serviceEntry())
                        .map(t -> t.in(p.namespace())).toList();
                if (!served.isEmpty()) {
                    partly.add(new PartlyAttached(p, "the requests to " + String.join(", ", served) + ", if this waypoint serves it"));
                }
            }
        }
        return new Case(condition, attached, partly);
    }

    /**
     * A Service, ServiceEntry or GatewayClass target: the waypoint that serves it. Which one that is is not modelled, so
     * a policy on some waypoint's Gateway may attach there or not: both cases are judged.
     */
    private static Scope onServed(PolicyTarget t, String ns, String fix, List<AuthzPolicy> policies, String root) {
        List<PolicyTarget> served = t.service() || t.serviceEntry()
                ? List.of(new PolicyTarget(t.group(), t.kind(), t.name(), ns)) : List.of();
        List<AuthzPolicy> attached = new ArrayList<>();
        List<AuthzPolicy> ifServing = new ArrayList<>();
        List<String> gateways = new ArrayList<>();
        for (AuthzPolicy p : policies) {
            if (PolicyAttachment.attachesToWaypoint(p.namespace(), p.targets(), null, null, served, root)) {
                attached.add(p);
            } else if (p.targets().stream().anyMatch(PolicyTarget::gateway)) {
                ifServing.add(p);
                p.targets().stream().filter(PolicyTarget::gateway).forEach(g -> gateways.add(g.in(p.namespace())));
            }
        }
        String what = t.waypointClass() ? "every waypoint" : "the waypoint that serves " + t.in(ns);
        List<Case> cases = new ArrayList<>();
        cases.add(new Case(ifServing.isEmpty() ? "" : "if no waypoint " + String.join(", ", gateways) + " serves it",
                attached, List.of()));
        if (!ifServing.isEmpty()) {
            List<AuthzPolicy> all = new ArrayList<>(attached);
            all.addAll(ifServing);
            cases.add(new Case("if " + (gateways.size() == 1 ? "the waypoint " : "the waypoints ") + String.join(", ", gateways)
                    + " serve" + (gateways.size() == 1 ? "s" : "") + " it (which waypoint serves it is not modelled)", all, List.of()));
        }
        return new Scope(what + " (istiod attaches a " + t.kind() + " target to waypoints only)", fix, "", cases);
    }

    /**
     * Whether the Gateway API Gateway {@code ns/name} is a waypoint: its class in the stack or the cluster, else the start of its
     * running pods' istio-proxy ({@code proxy waypoint} or {@code proxy router}) at plan; empty when neither tells.
     */
    static Optional<Boolean> waypoint(PlannedMesh mesh, String ns, String name) {
        Optional<tools.jackson.databind.JsonNode> gateway = GatewayPods.object(mesh, ns, name);
        if (gateway.isPresent()) {
            return Optional.of(PolicyTarget.WAYPOINT_CLASS.equals(Json.text(gateway.get().path("spec"), "gatewayClassName", "")));
        }
        if (mesh.context().purpose() == CheckContext.Purpose.VALIDATE) {
            return Optional.empty();
        }
        for (LivePod p : mesh.cluster().pods()) {
            if (ns.equals(p.namespace()) && name.equals(p.labels().get(PolicyTarget.GATEWAY_NAME_LABEL)) && !Sidecars.finished(p)) {
                Optional<String> type = p.proxyType();
                if (type.isPresent() && (type.get().equals("waypoint") || type.get().equals("router"))) {
                    return Optional.of(type.get().equals("waypoint"));
                }
            }
        }
        return Optional.empty();
    }

    /** The RequestAuthentication's selector and targets, as istiod reads them. */
    private record JsonNodeSpec(Map<String, String> selector, List<PolicyTarget> targets) {
        JsonNodeSpec(PlannedObject o) {
            this(new TreeMap<>(Json.stringMap(o.object().path("spec").path("selector").path("matchLabels"))),
                    PolicyTarget.of(o.object().path("spec")));
        }
    }
}

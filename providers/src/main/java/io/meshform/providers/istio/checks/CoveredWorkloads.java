package io.meshform.providers.istio.checks;

import io.meshform.engine.spi.CheckContext.Purpose;
import io.meshform.providers.istio.injection.LivePod;
import io.meshform.providers.istio.injection.Sidecars;
import io.meshform.providers.istio.policy.AuthzPolicy;
import io.meshform.providers.istio.policy.PolicyAttachment;
import io.meshform.providers.istio.policy.PolicyTarget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The workloads whose ingress coverage is judged, and the namespace and labels istiod attaches policies by. istiod
 * picks a workload's AuthorizationPolicies from the pod's own namespace and the root namespace, by selector or, on a
 * Gateway API gateway, by {@code targetRefs} naming its Gateway ({@link PolicyAttachment}: {@code ListAuthorizationPolicies},
 * pilot/pkg/model/authorization.go; {@code ShouldAttachPolicy}, pilot/pkg/model/policyattachment.go, Istio 1.30.3). So
 * a DENY policy that selects the gateway by another of its labels, lives in the gateway's namespace while the CUSTOM
 * policy is in the root namespace, or targets the gateway's Gateway, acts on it too: only the pod's own labels and
 * namespace tell.
 *
 * <p>The check is about ingress, so only gateway pods are judged one by one: a CUSTOM policy without a selector in the
 * root namespace (a mesh-wide ext_authz) or in an application's namespace selects every sidecar there too, and a note
 * for each would bury the gateway's. A gateway pod is one whose {@code istio-proxy} container runs pilot-agent as a
 * router, {@code args: [proxy, router, ...]}: Istio 1.30.3 starts it so in each way it makes a gateway, the istioctl
 * install's gateways (manifests/charts/gateways/istio-ingress/templates/deployment.yaml), the gateway Helm chart's
 * pods, injected with {@code inject.istio.io/templates: gateway}
 * (manifests/charts/istio-control/istio-discovery/files/gateway-injection-template.yaml) and Gateway API gateways
 * (files/kube-gateway.yaml); sidecars are started as {@code proxy sidecar} (files/injection-template.yaml), waypoints
 * as {@code proxy waypoint} (files/waypoint.yaml); {@code router} is pilot-agent's node type for a standalone proxy
 * (pkg/model/proxy.go {@code Router}). The args are read from the running pod, after injection, so the annotation
 * itself is not needed.
 *
 * <p>With the cluster known (plan, drift, once a control plane runs) each running gateway pod in the mesh that a
 * CUSTOM policy selects is judged, grouped by the workload that owns it ({@link Sidecars#workloadOf}: the Deployment,
 * StatefulSet or DaemonSet), so the two ReplicaSets of a Deployment during a rollout, which differ in
 * {@code pod-template-hash}, are one report. Within a workload the pods are judged once per distinct label set,
 * pod-template-hash aside: a rollout that also changes a label (say {@code version}) can change which policies attach,
 * so each set gets its own report, named after the workload with the labels that differ ({@code ns/gateway
 * [version=canary]}); a pod's policies are judged with its full labels, hash included. A pod without such an owner
 * (a bare pod) is grouped with the pods of its namespace that have exactly its labels.
 *
 * <p>Without the cluster (validate, no control plane yet), or when a CUSTOM policy selects no running gateway pod
 * (the gateway may come with this plan's install, or the policy is meant for sidecars), the policy stands for a pod
 * in its namespace labelled exactly as its selector says: an approximation, which the report says it is, one per
 * policy namespace and selector, however many sidecars the policy selects; a CUSTOM policy with targetRefs stands for
 * a pod of each Gateway it targets in its namespace, labelled as {@link GatewayPods} says: its running pods' labels,
 * else istiod's gateway template applied to the Gateway object (class, canonical name, infrastructure or own labels)
 * (targets only a waypoint takes, and Gateways istiod makes no pods for, give none: the check reports them as not judged). It is named as a selector ("the pods
 * ns/app=x selects"), or for targetRefs as the Gateway's pods ("the pods of Gateway ns/public"), never as a running
 * gateway ({@link Workload#described}), and says which running pods the selector picks instead. Only the run's own
 * policies are approximated so: the caller says which.
 */
final class CoveredWorkloads {
    private static final int NAMED_PODS = 3;
    private static final String POD_TEMPLATE_HASH = "pod-template-hash";

    /**
     * What the run saw of the gateway a workload stands for. A finding may say what a gateway lets through only for
     * {@code PODS}; for the others it is what a gateway labelled as the selector says would let through, since a policy
     * that selects no running gateway covers none (a mistyped label), and one judged without the pods may cover none.
     */
    enum Seen {
        /** Running gateway pods the CUSTOM policy selects. */
        PODS,
        /** The pods were read and no running gateway pod matches the selector. */
        NO_GATEWAY_SELECTED,
        /** No pods to judge: validate, no control plane yet, or the pods could not be read. */
        PODS_UNKNOWN
    }

    private CoveredWorkloads() {
    }

    /**
     * One judged workload.
     *
     * @param namespace where istiod looks for its policies (with the root namespace)
     * @param labels    what the policies' selectors are matched against
     * @param name      how the report names it: {@code namespace/workload} for pods, {@code namespace/selector} for an approximation
     * @param basis     what it stands for: the pods, or the approximation and why
     * @param custom    the CUSTOM policy that brought it in (the first, when several select the same pods)
     * @param seen        what the run saw of the gateway: its running pods, none the policy selects, or no pods at all
     * @param revision    the control plane revision whose istiod serves the pods ({@link Sidecars#revisionOf}); null for a
     *                    stand-in, whose pods are not known
     */
    record Workload(String namespace, Map<String, String> labels, String name, String basis, AuthzPolicy custom,
                    Seen seen, String revision) {
        /** True when it stands for pods the run did not see: judged from the CUSTOM policy's selector. */
        boolean approximate() {
            return seen != Seen.PODS;
        }

        /**
         * How a finding names it: {@code gateway ns/workload} for running gateway pods; an approximation is only a
         * selector, which may select sidecars and no gateway at all, so it is named as one.
         */
        String described() {
            return byTargets() ? "the pods of " + name : approximate() ? "the pods " + name + " selects" : "gateway " + name;
        }

        /**
         * True for a stand-in for the pods of a Gateway the CUSTOM policy's targetRefs name: no selector is involved, so
         * the words say "the pods of Gateway ns/name", never a selector.
         */
        boolean byTargets() {
            return approximate() && custom != null && custom.targeted();
        }

        /** What a verdict judged on it rests on, for a stand-in: a pod of the targeted Gateway, or the selector. */
        String standIn() {
            return byTargets() ? "a pod of the Gateway the CUSTOM policy's targetRefs name"
                    : "a gateway labelled as the CUSTOM policy's selector";
        }
    }

    /**
     * The workloads the CUSTOM policies attach to (by selector or targetRefs), in the policies' order. A policy that selects no
     * running gateway pod stands for one by its selector only when {@code approximated} says so: the run's own policies.
     * A live policy the stack does not manage that selects no running gateway is no gateway's and not the run's, so an
     * unrelated stack's plan has nothing true to say of it (before, it was judged and named "gateway ns/app=db" on the
     * strength of the stack's install).
     */
    static List<Workload> of(PlannedMesh mesh, List<AuthzPolicy> policies, String root,
                             java.util.function.Predicate<AuthzPolicy> approximated) {
        boolean live = mesh.context().purpose() != Purpose.VALIDATE && mesh.cluster().controlPlane();
        List<LivePod> running = live ? running(mesh) : List.of();
        List<LivePod> pods = running.stream().filter(CoveredWorkloads::gateway).toList();
        Map<String, Map<String, List<LivePod>>> groups = new LinkedHashMap<>(); // workload, then label set: pods
        Map<String, AuthzPolicy> groupCustom = new LinkedHashMap<>();
        Map<String, Workload> approximations = new LinkedHashMap<>();
        for (AuthzPolicy custom : policies) {
            if (!custom.action().equals("CUSTOM")) {
                continue;
            }
            boolean any = false;
            for (LivePod p : pods) {
                if (selects(custom, p, root)) {
                    String key = Sidecars.workloadOf(p).map(w -> p.namespace() + " " + w.describe())
                            .orElse(p.namespace() + " " + new TreeMap<>(p.labels()));
                    String set = new TreeMap<>(withoutHash(p.labels())).toString();
                    List<LivePod> members = groups.computeIfAbsent(key, k -> new LinkedHashMap<>())
                            .computeIfAbsent(set, k -> new ArrayList<>());
                    if (!members.contains(p)) {
                        members.add(p);
                    }
                    groupCustom.putIfAbsent(key + " " + set, custom);
                    any = true;
                }
            }
            if (!any && approximated.test(custom)) {
                List<String> others = running.stream().filter(p -> selects(custom, p, root)).map(LivePod::name).sorted().toList();
                for (StandIn in : standIns(custom, mesh)) {
                    approximations.putIfAbsent(custom.namespace() + " " + new TreeMap<>(in.labels()),
                            approximation(custom, in, live, others, mesh));
                }
            }
        }
        List<Workload> out = new ArrayList<>();
        groups.forEach((key, sets) -> sets.forEach((set, members) ->
                out.add(pods(members, sets.values(), groupCustom.get(key + " " + set)))));
        out.addAll(approximations.values());
        return out;
    }

    /**
     * The pod a CUSTOM policy stands for: its labels, and for a targeted Gateway's pod the Gateway's name and where its
     * labels come from ({@link GatewayPods#basis}); {@code gateway} and {@code basis} are empty for a selector.
     */
    private record StandIn(Map<String, String> labels, String gateway, String basis) {
    }

    /**
     * The pods a CUSTOM policy stands for when no running gateway takes it: one labelled as its selector ({} without
     * one), or for a policy with targetRefs a pod of each Gateway it targets in the policy's namespace, labelled as
     * {@link GatewayPods} says (none for a Gateway istiod makes no pods for).
     */
    private static List<StandIn> standIns(AuthzPolicy custom, PlannedMesh mesh) {
        if (!custom.targeted()) {
            return List.of(new StandIn(custom.selector() == null ? Map.of() : custom.selector(), "", ""));
        }
        List<StandIn> out = new ArrayList<>();
        custom.targets().stream().filter(t -> t.gateway() && (t.namespace().isEmpty() || t.namespace().equals(custom.namespace())))
                .map(PolicyTarget::name).distinct().forEach(name -> {
                    GatewayPods pods = GatewayPods.of(mesh, custom.namespace(), name);
                    pods.labels().ifPresent(labels -> out.add(new StandIn(labels, name, pods.basis())));
                });
        return out;
    }

    private static Map<String, String> withoutHash(Map<String, String> labels) {
        Map<String, String> out = new TreeMap<>(labels);
        out.remove(POD_TEMPLATE_HASH);
        return out;
    }

    /** Running pods in the mesh, as {@link AuthorizationSelectsNothing} counts them (the run's one LIST of pods). */
    static List<LivePod> running(PlannedMesh mesh) {
        Map<String, Map<String, String>> nsLabels = mesh.namespaceLabels();
        return mesh.cluster().pods().stream()
                .filter(p -> !Sidecars.finished(p) && AuthorizationSelectsNothing.proxied(p, nsLabels.get(p.namespace())))
                .toList();
    }

    /** Whether the pod is a gateway: its istio-proxy container started as {@code proxy router} (see the class comment). */
    static boolean gateway(LivePod pod) {
        return pod.proxyType().filter("router"::equals).isPresent();
    }

    /**
     * Whether istiod attaches the policy to the pod: {@link PolicyAttachment#attaches} with the pod's namespace, labels
     * and revision (the istiod serving it reads the policy).
     */
    static boolean selects(AuthzPolicy p, LivePod pod, String root) {
        return PolicyAttachment.attaches(p, pod.namespace(), pod.labels(), Sidecars.revisionOf(pod), root);
    }

    /** The pods of one workload with one label set (pod-template-hash aside); {@code sets}: the workload's sets. */
    private static Workload pods(List<LivePod> members, java.util.Collection<List<LivePod>> sets, AuthzPolicy custom) {
        LivePod first = members.get(0);
        var owner = Sidecars.workloadOf(first);
        String name = first.namespace() + "/" + owner.map(w -> w.name()).orElse(first.name());
        List<String> names = members.stream().map(LivePod::name).sorted().toList();
        String listed = String.join(", ", names.subList(0, Math.min(NAMED_PODS, names.size())))
                + (names.size() > NAMED_PODS ? " and " + (names.size() - NAMED_PODS) + " more" : "");
        String basis;
        if (owner.isEmpty()) {
            basis = members.size() + " running pod(s) with the same labels (" + listed + ")";
        } else {
            basis = members.size() + " running pod(s) of " + owner.get().describe() + " (" + listed + ")";
            if (sets.size() > 1) {
                String differing = differing(first, sets);
                name += " [" + differing + "]";
                basis += " labelled " + differing + "; its pods carry " + sets.size() + " label sets besides "
                        + POD_TEMPLATE_HASH + ", each judged on its own";
            }
        }
        return new Workload(first.namespace(), first.labels(), name, basis + ", judged with the policies istiod attaches to them",
                custom, Seen.PODS, Sidecars.revisionOf(first));
    }

    /** The pod's labels whose value (or absence) is not the same across the workload's label sets, as k=v or "without k". */
    private static String differing(LivePod pod, java.util.Collection<List<LivePod>> sets) {
        java.util.SortedSet<String> keys = new java.util.TreeSet<>();
        sets.forEach(set -> keys.addAll(withoutHash(set.get(0).labels()).keySet()));
        List<String> out = new ArrayList<>();
        for (String k : keys) {
            if (sets.stream().map(set -> java.util.Optional.ofNullable(set.get(0).labels().get(k))).distinct().count() > 1) {
                String v = pod.labels().get(k);
                out.add(v == null ? "without " + k : k + "=" + v);
            }
        }
        return String.join(",", out);
    }

    /** {@code others}: the running pods in the mesh the policy selects, none of them a gateway. */
    private static Workload approximation(AuthzPolicy custom, StandIn in, boolean live, List<String> others,
                                          PlannedMesh mesh) {
        Map<String, String> selector = in.labels();
        String why = !live ? (mesh.context().purpose() == Purpose.VALIDATE ? "validate reads no pods"
                : "no control plane runs yet")
                : mesh.cluster().unread().containsKey("pods") ? "the cluster's pods could not be read"
                : (custom.targeted() ? "no running gateway pod is labelled " + PolicyTarget.GATEWAY_NAME_LABEL + "="
                        + in.gateway()
                : "no running gateway pod matches the selector") + (others.isEmpty() ? ""
                : "; it selects " + others.size() + (others.size() == 1 ? " running pod that is" : " running pods that are")
                + " no gateway (" + String.join(", ", others.subList(0, Math.min(NAMED_PODS, others.size())))
                + (others.size() > NAMED_PODS ? " and " + (others.size() - NAMED_PODS) + " more" : "") + ")");
        String basis = "an approximation (" + why + "): a pod in " + custom.namespace() + " labelled exactly "
                + (selector.isEmpty() ? "{}" : selector(selector))
                + (custom.targeted() ? " (a pod of Gateway " + custom.namespace() + "/" + in.gateway()
                + ", which the policy's targetRefs name, labelled " + in.basis() + ")" : "")
                + "; a policy selecting the gateway pods by another label, or in"
                + " their own namespace, is not counted (plan judges each running gateway pod the CUSTOM policy selects)";
        String name = custom.targeted() ? "Gateway " + custom.namespace() + "/" + in.gateway()
                : custom.namespace() + "/" + (selector.isEmpty() ? "*" : selector(selector));
        Seen seen = live && !mesh.cluster().unread().containsKey("pods") ? Seen.NO_GATEWAY_SELECTED : Seen.PODS_UNKNOWN;
        return new Workload(custom.namespace(), selector, name, basis, custom, seen, null);
    }

    static String selector(Map<String, String> s) {
        return String.join(",", new TreeMap<>(s).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
    }
}

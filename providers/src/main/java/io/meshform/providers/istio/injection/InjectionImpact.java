package io.meshform.providers.istio.injection;

import io.meshform.engine.spi.PlanDetail;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a change of a namespace's sidecar injection means for the pods already running there: the workloads whose
 * pods keep their old state (no sidecar after injection turns on, a sidecar after it turns off) until they restart.
 *
 * @param workloads pods needing a restart, by owning workload
 * @param unowned   such pods that no Deployment, StatefulSet or DaemonSet owns (a restart cannot reach them)
 * @param proxyAnnotations the {@link ProxyRequests#POD_ANNOTATIONS} of each such pod (empty maps when it sets none):
 *                  what its sidecar will request
 */
public record InjectionImpact(String namespace, boolean enabling, Map<Workload, Integer> workloads, List<String> unowned,
                              String toRevision, List<Map<String, String>> proxyAnnotations) {

    public InjectionImpact(String namespace, boolean enabling, Map<Workload, Integer> workloads, List<String> unowned) {
        this(namespace, enabling, workloads, unowned, null);
    }

    public InjectionImpact(String namespace, boolean enabling, Map<Workload, Integer> workloads, List<String> unowned,
                           String toRevision) {
        this(namespace, enabling, workloads, unowned, toRevision, null);
    }

    public InjectionImpact {
        workloads = java.util.Collections.unmodifiableMap(new TreeMap<>(workloads));
        unowned = List.copyOf(unowned);
        int pods = workloads.values().stream().mapToInt(Integer::intValue).sum() + unowned.size();
        proxyAnnotations = proxyAnnotations == null ? java.util.Collections.nCopies(pods, Map.of()) : List.copyOf(proxyAnnotations);
    }

    /** From one LIST of the namespace's pods, for a namespace labelled istio-injection enabled or disabled. */
    public static InjectionImpact of(String namespace, boolean enabling, List<LivePod> pods) {
        return of(namespace, Map.of(Injection.INJECTION_LABEL, enabling ? "enabled" : "disabled"), pods);
    }

    /**
     * From one LIST of the namespace's pods, with the namespace's labels after the change: where injection is on, the
     * pods without a sidecar that the injector gives one when they are created again; where it is off, the pods with
     * one that it does not ({@link Sidecars#injectedOnCreate}). So where injection turns off by dropping the label, a
     * pod that asks for a sidecar itself gets one again on restart and keeps no old state.
     */
    public static InjectionImpact of(String namespace, Map<String, String> labelsAfter, List<LivePod> pods) {
        return of(namespace, labelsAfter, Injectors.UNKNOWN, pods);
    }

    /**
     * As {@link #of(String, Map, List)}, with the labels' revision resolved through the installed {@code injectors}: a
     * namespace whose {@code istio.io/rev} names no installed revision or tag gets no injection.
     */
    public static InjectionImpact of(String namespace, Map<String, String> labelsAfter, Injectors injectors,
                                     List<LivePod> pods) {
        boolean enabling = injectors.effective(labelsAfter).enabled();
        return collect(namespace, enabling, null, pods, p -> enabling
                ? !Sidecars.hasSidecar(p) && Sidecars.injectedOnCreate(labelsAfter, injectors, p)
                : Sidecars.hasSidecar(p) && !Sidecars.injectedOnCreate(labelsAfter, injectors, p));
    }

    /**
     * Injection moves to revision {@code toRevision}: the pods whose sidecar came from another revision's injector
     * (see {@link Sidecars#revisionOf}) or that have none yet keep their state until they restart.
     */
    public static InjectionImpact moving(String namespace, String toRevision, List<LivePod> pods) {
        return moving(namespace, toRevision, Injectors.UNKNOWN, pods);
    }

    /**
     * As {@link #moving(String, String, List)}; a pod's sidecar is of the revision its injector recorded
     * ({@link Sidecars#revisionOf}; a tag written there by hand stands for the tag's revision), and a pod
     * without a sidecar is listed only when the new revision's injector would inject it ({@link InjectorPolicy}: its
     * policy and selectors), since otherwise a restart changes nothing.
     */
    public static InjectionImpact moving(String namespace, String toRevision, Injectors injectors, List<LivePod> pods) {
        InjectorPolicy next = injectors.injectorPolicy(toRevision);
        return collect(namespace, true, toRevision, pods, p -> Sidecars.hasSidecar(p)
                ? !toRevision.equals(injectors.resolve(Sidecars.revisionOf(p)).orElse(Sidecars.revisionOf(p)))
                : !Sidecars.neverInjected(p) && next.required(p.labels(), p.annotations()));
    }

    /** The running pods that keep their old state, by owning workload; pods no workload owns listed by name. */
    private static InjectionImpact collect(String namespace, boolean enabling, String toRevision, List<LivePod> pods,
                                           java.util.function.Predicate<LivePod> keepsOldState) {
        Map<Workload, Integer> workloads = new TreeMap<>();
        List<String> unowned = new ArrayList<>();
        List<Map<String, String>> proxyAnnotations = new ArrayList<>();
        for (LivePod p : pods) {
            if (Sidecars.finished(p) || !keepsOldState.test(p)) {
                continue;
            }
            Map<String, String> own = new TreeMap<>(p.annotations());
            own.keySet().retainAll(ProxyRequests.POD_ANNOTATIONS);
            proxyAnnotations.add(own);
            Optional<Workload> w = Sidecars.workloadOf(p);
            if (w.isPresent()) {
                workloads.merge(w.get(), 1, Integer::sum);
            } else {
                unowned.add(namespace + "/" + p.name());
            }
        }
        unowned.sort(null);
        return new InjectionImpact(namespace, enabling, workloads, unowned, toRevision, proxyAnnotations);
    }

    public boolean isEmpty() {
        return workloads.isEmpty() && unowned.isEmpty();
    }

    public int pods() {
        return workloads.values().stream().mapToInt(Integer::intValue).sum() + unowned.size();
    }

    private String state() {
        return toRevision != null ? "with their current sidecar (or none)" : enabling ? "without a sidecar" : "with a sidecar";
    }

    private String change() {
        return toRevision != null ? "sidecar injection moves to revision " + toRevision
                : "sidecar injection turns " + (enabling ? "on" : "off");
    }

    /** Plan detail lines: the workloads, the pods no restart reaches, and (when enabling) the sidecars' requests. */
    public List<PlanDetail> details(ProxyRequests requests) {
        List<PlanDetail> out = new ArrayList<>();
        if (isEmpty()) {
            out.add(PlanDetail.note(change() + " for namespace " + namespace + "; no running pod needs a restart"));
            return out;
        }
        out.add(PlanDetail.note(change() + " for namespace " + namespace + "; " + pods() + " running pod(s) stay " + state()
                + " until they restart:"));
        workloads.forEach((w, n) -> out.add(PlanDetail.note("  " + w.describe() + " (" + n + " pod" + (n == 1 ? "" : "s") + ")")));
        if (!unowned.isEmpty()) {
            out.add(PlanDetail.note("  pods no Deployment, StatefulSet or DaemonSet owns (delete them to restart): "
                    + String.join(", ", unowned)));
        }
        if (enabling && toRevision == null) {
            out.add(PlanDetail.note(requests.estimate(namespace, proxyAnnotations)));
        }
        return out;
    }

    /** The warning when meshform will not restart them itself. */
    public String restartWarning() {
        List<String> names = new ArrayList<>(workloads.keySet().stream().map(Workload::describe).toList());
        names.addAll(unowned.stream().map(p -> "Pod " + p).toList());
        return "injection takes effect only when these pods restart: " + String.join(", ", names)
                + " (set restartWorkloads: true to restart them on apply, or run kubectl rollout restart)";
    }
}

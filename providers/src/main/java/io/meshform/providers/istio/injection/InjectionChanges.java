package io.meshform.providers.istio.injection;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.spi.PlanDetail;
import io.meshform.engine.spi.ProgressSink;
import io.meshform.providers.kubernetes.RestartSettings;
import io.meshform.providers.kubernetes.KubeErrors;
import io.meshform.providers.kubernetes.RawReads;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a namespace label change into what it means for running pods: at plan time the impact (which workloads
 * keep their old sidecar state), at apply time the restarts when the stack asks for them. Pods are read with one
 * LIST per namespace.
 */
public final class InjectionChanges {
    
    private final KubernetesClient client;
    private final Duration poll;

    public InjectionChanges(KubernetesClient client, Duration poll) {
        this.client = client;
        this.poll = poll;
    }

    /** The pods of a namespace (empty when it does not exist). */
    public List<LivePod> pods(String address, String namespace) {
        try {
            return RawReads.list(client, "/api/v1/namespaces/" + namespace + "/pods").stream().map(LivePod::of).toList();
        } catch (KubernetesClientException e) {
            if (KubeErrors.notFound(e)) {
                return List.of();
            }
            throw KubeErrors.explain(address, "list", "pods in namespace " + namespace, e);
        }
    }

    /**
     * The impact of going from {@code before} to {@code after} labels; empty when new pods get what old ones have. The
     * labels' revision names are resolved through {@code injectors}: a tag and the revision it points at are the same
     * injector, and a name no injector answers to injects nothing.
     */
    public Optional<InjectionImpact> impact(String address, String namespace, Map<String, String> before,
                                            Map<String, String> after, Injectors injectors) {
        Injection to = injectors.effective(after);
        String turns = injectors.effective(before).turns(to);
        if (turns == null) {
            return Optional.empty();
        }
        if (turns.equals("moves")) {
            return Optional.of(InjectionImpact.moving(namespace, to.revision(), injectors, pods(address, namespace)));
        }
        return Optional.of(InjectionImpact.of(namespace, after, injectors, pods(address, namespace)));
    }

    /** Plan details and warnings for a namespace whose labels go from {@code before} to {@code after}. */
    public void plan(String address, String namespace, Map<String, String> before, Map<String, String> after,
                     Injectors injectors, RestartSettings restart, ProxyRequests requests, List<PlanDetail> details,
                     List<String> warnings) {
        injectors.missing(after).ifPresent(name -> warnings.add(missingWarning(namespace, after, name, injectors)));
        Optional<InjectionImpact> impact = impact(address, namespace, before, after, injectors);
        if (impact.isEmpty()) {
            sameInjector(namespace, before, after, injectors).ifPresent(details::add);
            return;
        }
        InjectionImpact i = impact.get();
        details.addAll(i.details(requests));
        policyNote(namespace, after, injectors).ifPresent(details::add);
        Injectors.assumedNote(injectors.assumed(List.of(after))).map(PlanDetail::note).ifPresent(details::add);
        if (i.isEmpty()) {
            return;
        }
        if (restart.enabled() && !i.workloads().isEmpty()) {
            details.add(PlanDetail.note("restartWorkloads: apply restarts " + i.workloads().size() + " workload(s) one at a"
                    + " time (like kubectl rollout restart), waiting up to " + restart.timeout().toSeconds() + "s for each rollout"));
        }
        if (!restart.enabled()) {
            warnings.add(i.restartWarning());
        } else if (!i.unowned().isEmpty()) {
            warnings.add("restartWorkloads cannot restart pods no workload owns: " + String.join(", ", i.unowned()));
        }
    }

    /**
     * Where the injector that serves the namespace after the change does not inject by default (its policy,
     * {@code values.global.proxy.autoInject}, is not enabled: {@code injectRequired}, pkg/kube/inject/inject.go), which
     * pods it injects: the restarts listed are only theirs. Pods selected by its {@code alwaysInjectSelector} are injected
     * too, unless they say otherwise or its {@code neverInjectSelector} matches them first ({@link InjectorPolicy}).
     */
    static Optional<PlanDetail> policyNote(String namespace, Map<String, String> after, Injectors injectors) {
        Injection to = injectors.effective(after);
        if (!to.enabled() || injectors.policy(to.revision()).equals(Injectors.POLICY_ENABLED)) {
            return Optional.empty();
        }
        String policy = injectors.policy(to.revision());
        return Optional.of(PlanDetail.note("the injector of revision " + to.revision() + " has policy " + policy
                + " (values.global.proxy.autoInject): " + (policy.equals(Injectors.POLICY_DISABLED)
                ? "it injects only pods of namespace " + namespace + " labelled (or annotated) sidecar.istio.io/inject: \"true\""
                + (injectors.injectorPolicy(to.revision()).alwaysInject().isEmpty() ? ""
                : ", and pods with no sidecar.istio.io/inject of their own that match its alwaysInjectSelector and not its"
                + " neverInjectSelector (values.sidecarInjectorWebhook)")
                : "istiod rejects that value and injects no pod")));
    }

    /**
     * The labels name another revision or tag, but the same istiod injects (a tag pointing at the revision named
     * before, or istio-injection=enabled through the default tag): the plan says so, since nothing restarts.
     */
    static Optional<PlanDetail> sameInjector(String namespace, Map<String, String> before, Map<String, String> after,
                                             Injectors injectors) {
        Injection from = Injection.of(before);
        Injection to = Injection.of(after);
        if (!from.enabled() || !to.enabled() || from.revision().equals(to.revision()) || !injectors.effective(after).enabled()) {
            return Optional.empty();
        }
        return Optional.of(PlanDetail.note("sidecar injection stays with revision " + injectors.effective(after).revision()
                + " for namespace " + namespace + ": " + name(before, from) + " and " + name(after, to) + " select the same"
                + " injector (" + injectors.via(to.revision()) + "); no running pod needs a restart"));
    }

    private static String name(Map<String, String> labels, Injection i) {
        return "enabled".equals(labels.get(Injection.INJECTION_LABEL)) ? Injection.INJECTION_LABEL + "=enabled"
                : Injection.REVISION_LABEL + "=" + i.revision();
    }

    static String missingWarning(String namespace, Map<String, String> after, String name, Injectors injectors) {
        String label = "enabled".equals(after.get(Injection.INJECTION_LABEL)) ? Injection.INJECTION_LABEL + "=enabled (the"
                + " default revision or tag)" : Injection.REVISION_LABEL + "=" + name;
        return "namespace " + namespace + ": " + label + " names no installed Istio revision or tag (installed: "
                + injectors.describe() + "): no injector webhook selects the namespace, so its new pods get no sidecar;"
                + " install revision " + name + " (or `istioctl tag set " + name + " --revision REV`), or label the"
                + " namespace with an installed one";
    }

    /**
     * After the labels were applied: restart what still has the old sidecar state, or say that it must be done.
     * {@code injectors} reads the injectors as the apply left them; asked only when the labels name another injector.
     */
    public void afterApply(String address, String namespace, Map<String, String> before, Map<String, String> after,
                           RestartSettings restart, java.util.function.Supplier<Injectors> injectors, ProgressSink progress) {
        Injectors read = Injection.of(before).equals(Injection.of(after)) ? Injectors.UNKNOWN : injectors.get();
        Optional<InjectionImpact> impact = impact(address, namespace, before, after, read);
        if (impact.isEmpty() || impact.get().isEmpty()) {
            return;
        }
        InjectionImpact i = impact.get();
        if (!restart.enabled()) {
            progress.note(i.restartWarning());
            return;
        }
        new WorkloadRestarter(client, restart.timeout(), poll, Clock.systemUTC())
                .restartAll(address, new ArrayList<>(i.workloads().keySet()), progress);
    }

    /**
     * Restarts still owed: with the labels unchanged since meshform applied them at {@code appliedAt}, the pods that
     * were running before then and keep the old sidecar state (a restart that failed or was interrupted leaves them).
     * A pod created later without a sidecar was not injected for another reason (the injector was down, the pod opts
     * out), and restarting it again would not help, so it does not count. {@code injectors} is asked only when such
     * pods exist.
     */
    public Optional<InjectionImpact> pending(String address, String namespace, Map<String, String> labels, Instant appliedAt,
                                             java.util.function.Supplier<Injectors> injectors) {
        if (appliedAt == null) {
            return Optional.empty();
        }
        List<LivePod> older = pods(address, namespace).stream()
                .filter(p -> !p.deleting() && createdBefore(p, appliedAt)).toList();
        if (older.isEmpty()) {
            return Optional.empty();
        }
        InjectionImpact i = InjectionImpact.of(namespace, labels, injectors.get(), older);
        return i.workloads().isEmpty() ? Optional.empty() : Optional.of(i);
    }

    /** Restarts the workloads of {@link #pending}; the apply that follows a plan which found them. */
    public void restartPending(String address, String namespace, Map<String, String> labels, Instant appliedAt,
                               RestartSettings restart, java.util.function.Supplier<Injectors> injectors, ProgressSink progress) {
        pending(address, namespace, labels, appliedAt, injectors).ifPresent(i -> {
            progress.note("restarting " + i.workloads().size() + " workload(s) whose pods predate the injection change");
            new WorkloadRestarter(client, restart.timeout(), poll, Clock.systemUTC())
                    .restartAll(address, new ArrayList<>(i.workloads().keySet()), progress);
        });
    }

    static boolean createdBefore(LivePod p, Instant t) {
        String created = p.created();
        try {
            return created != null && Instant.parse(created).isBefore(t);
        } catch (java.time.format.DateTimeParseException e) {
            return false;
        }
    }
}

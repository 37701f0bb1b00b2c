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

    /** The impact of going from {@code before} to {@code after} labels; empty when new pods get what old ones have. */
    public Optional<InjectionImpact> impact(String address, String namespace, Map<String, String> before,
                                            Map<String, String> after) {
        String turns = Injection.of(before).turns(Injection.of(after));
        if (turns == null) {
            return Optional.empty();
        }
        if (turns.equals("moves")) {
            return Optional.of(InjectionImpact.moving(namespace, Injection.of(after).revision(), pods(address, namespace)));
        }
        return Optional.of(InjectionImpact.of(namespace, after, pods(address, namespace)));
    }

    /** Plan details and warnings for a namespace whose labels go from {@code before} to {@code after}. */
    public void plan(String address, String namespace, Map<String, String> before, Map<String, String> after,
                     RestartSettings restart, ProxyRequests requests, List<PlanDetail> details, List<String> warnings) {
        Optional<InjectionImpact> impact = impact(address, namespace, before, after);
        if (impact.isEmpty()) {
            return;
        }
        InjectionImpact i = impact.get();
        details.addAll(i.details(requests));
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

    /** After the labels were applied: restart what still has the old sidecar state, or say that it must be done. */
    public void afterApply(String address, String namespace, Map<String, String> before, Map<String, String> after,
                           RestartSettings restart, ProgressSink progress) {
        Optional<InjectionImpact> impact = impact(address, namespace, before, after);
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
     * out), and restarting it again would not help, so it does not count.
     */
    public Optional<InjectionImpact> pending(String address, String namespace, Map<String, String> labels, Instant appliedAt) {
        if (appliedAt == null) {
            return Optional.empty();
        }
        List<LivePod> older = pods(address, namespace).stream()
                .filter(p -> !p.deleting() && createdBefore(p, appliedAt)).toList();
        InjectionImpact i = InjectionImpact.of(namespace, labels, older);
        return i.workloads().isEmpty() ? Optional.empty() : Optional.of(i);
    }

    /** Restarts the workloads of {@link #pending}; the apply that follows a plan which found them. */
    public void restartPending(String address, String namespace, Map<String, String> labels, Instant appliedAt,
                               RestartSettings restart, ProgressSink progress) {
        pending(address, namespace, labels, appliedAt).ifPresent(i -> {
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

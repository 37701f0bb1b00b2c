package io.meshform.providers.istio.injection;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.meshform.engine.spi.ProgressSink;
import io.meshform.providers.kubernetes.KubeErrors;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Restarts workloads the way {@code kubectl rollout restart} does (a new {@code kubectl.kubernetes.io/restartedAt}
 * annotation on the pod template), one at a time, waiting for each rollout to finish before the next: restarting
 * everything at once could take a whole namespace's replicas down together.
 */
public final class WorkloadRestarter {
    public static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

    private final KubernetesClient client;
    private final Duration timeout;
    private final Duration poll;
    private final Clock clock;

    public WorkloadRestarter(KubernetesClient client, Duration timeout, Duration poll, Clock clock) {
        this.client = client;
        this.timeout = timeout;
        this.poll = poll;
        this.clock = clock;
    }

    /** Restarts each workload in turn; a failure names what was restarted already and what was not. */
    public void restartAll(String address, List<Workload> workloads, ProgressSink progress) {
        List<String> done = new ArrayList<>();
        for (int i = 0; i < workloads.size(); i++) {
            Workload w = workloads.get(i);
            try {
                // One at a time, each waiting for its rollout: the run may lose its lock meanwhile, and a restart is a write.
                io.meshform.providers.kubernetes.LockFence.check(progress, address, "before restarting " + w.describe());
            } catch (RuntimeException e) {
                progress.note(soFar(done, workloads.subList(i, workloads.size())));
                throw e;
            }
            try {
                progress.note("restarting " + w.describe() + " (" + (i + 1) + " of " + workloads.size() + ")");
                if (restart(address, w, progress)) {
                    done.add(w.describe());
                }
            } catch (RuntimeException e) {
                progress.note(soFar(done, workloads.subList(i + 1, workloads.size())));
                throw e;
            }
        }
    }

    private static String soFar(List<String> done, List<Workload> notStarted) {
        List<String> left = notStarted.stream().map(Workload::describe).toList();
        return "restarted so far: " + (done.isEmpty() ? "none" : String.join(", ", done))
                + (left.isEmpty() ? "" : "; not restarted: " + String.join(", ", left));
    }

    /** Patches the template and waits for the rollout; false when the workload is gone or cannot roll. */
    boolean restart(String address, Workload w, ProgressSink progress) {
        Resource<? extends HasMetadata> resource = resource(w);
        HasMetadata live = read(resource, address, w);
        if (live == null) {
            progress.note(w.describe() + " is gone; nothing to restart");
            return false;
        }
        String why = RolloutStatus.notRestartable(live);
        if (why != null) {
            progress.note("not restarting " + w.describe() + ": " + why);
            return false;
        }
        String now = DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC)
                .truncatedTo(ChronoUnit.SECONDS));
        String patch = "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"" + RESTARTED_AT + "\":\"" + now + "\"}}}}}";
        try {
            // A merge patch of one annotation: it changes nothing else and needs no resourceVersion.
            resource.patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        } catch (KubernetesClientException e) {
            throw KubeErrors.explain(address, "restart", w.describe(), e);
        }
        waitForRollout(address, w, resource, progress);
        return true;
    }

    private void waitForRollout(String address, Workload w, Resource<? extends HasMetadata> resource, ProgressSink progress) {
        Instant deadline = clock.instant().plus(timeout);
        String last = null;
        while (true) {
            HasMetadata live = read(resource, address, w);
            if (live == null) {
                progress.note(w.describe() + " was deleted during its rollout");
                return;
            }
            RolloutStatus status = RolloutStatus.of(live);
            if (status.done()) {
                progress.note(w.describe() + ": rollout complete");
                return;
            }
            if (!status.message().equals(last)) {
                progress.note(w.describe() + ": " + status.message());
                last = status.message();
            }
            if (!clock.instant().isBefore(deadline)) {
                throw KubeErrors.error(address + ": the rollout of " + w.describe() + " did not finish within "
                                + timeout.toSeconds() + "s (" + status.message() + ")",
                        "check it with `kubectl rollout status " + w.kind().toLowerCase() + "/" + w.name() + " -n "
                                + w.namespace() + "`; raise restartTimeoutSeconds if it is just slow, then apply again");
            }
            sleep();
        }
    }

    private void sleep() {
        try {
            Thread.sleep(poll.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a rollout", e);
        }
    }

    private Resource<? extends HasMetadata> resource(Workload w) {
        return switch (w.kind()) {
            case Workload.DEPLOYMENT -> client.apps().deployments().inNamespace(w.namespace()).withName(w.name());
            case Workload.STATEFUL_SET -> client.apps().statefulSets().inNamespace(w.namespace()).withName(w.name());
            case Workload.DAEMON_SET -> client.apps().daemonSets().inNamespace(w.namespace()).withName(w.name());
            default -> throw new IllegalArgumentException("cannot restart a " + w.kind());
        };
    }

    private static HasMetadata read(Resource<? extends HasMetadata> resource, String address, Workload w) {
        try {
            return resource.get();
        } catch (KubernetesClientException e) {
            throw KubeErrors.explain(address, "read", w.describe(), e);
        }
    }
}

package io.meshform.providers.istio.injection;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * Whether a rollout has finished, by the rules `kubectl rollout status` applies: the controller has seen the latest
 * generation, every replica runs the new template, and all of them are available (no old pod left).
 */
public record RolloutStatus(boolean done, String message) {

    static RolloutStatus waiting(String message) {
        return new RolloutStatus(false, message);
    }

    static final RolloutStatus DONE = new RolloutStatus(true, "rollout complete");

    public static RolloutStatus of(HasMetadata workload) {
        if (workload instanceof Deployment d) {
            return deployment(d);
        }
        if (workload instanceof StatefulSet s) {
            return statefulSet(s);
        }
        if (workload instanceof DaemonSet d) {
            return daemonSet(d);
        }
        throw new IllegalArgumentException("no rollout status for " + workload.getKind());
    }

    private static boolean generationSeen(HasMetadata w, Long observed) {
        Long generation = w.getMetadata().getGeneration();
        return generation == null || (observed != null && observed >= generation);
    }

    private static int n(Integer i) {
        return i == null ? 0 : i;
    }

    static RolloutStatus deployment(Deployment d) {
        DeploymentStatus s = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
        if (!generationSeen(d, s.getObservedGeneration())) {
            return waiting("waiting for the controller to see the new template");
        }
        int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        if (n(s.getUpdatedReplicas()) < want) {
            return waiting(n(s.getUpdatedReplicas()) + " of " + want + " new replicas updated");
        }
        if (n(s.getReplicas()) > n(s.getUpdatedReplicas())) {
            return waiting((n(s.getReplicas()) - n(s.getUpdatedReplicas())) + " old replica(s) pending termination");
        }
        if (n(s.getAvailableReplicas()) < want) {
            return waiting(n(s.getAvailableReplicas()) + " of " + want + " updated replicas available");
        }
        return DONE;
    }

    static RolloutStatus statefulSet(StatefulSet st) {
        StatefulSetStatus s = st.getStatus() == null ? new StatefulSetStatus() : st.getStatus();
        if (!generationSeen(st, s.getObservedGeneration())) {
            return waiting("waiting for the controller to see the new template");
        }
        int want = st.getSpec().getReplicas() == null ? 1 : st.getSpec().getReplicas();
        if (n(s.getReadyReplicas()) < want) {
            return waiting(n(s.getReadyReplicas()) + " of " + want + " pods ready");
        }
        if (n(s.getUpdatedReplicas()) < want) {
            return waiting(n(s.getUpdatedReplicas()) + " of " + want + " pods updated");
        }
        if (s.getUpdateRevision() != null && !s.getUpdateRevision().equals(s.getCurrentRevision())) {
            return waiting("waiting for revision " + s.getUpdateRevision() + " to become current");
        }
        return DONE;
    }

    static RolloutStatus daemonSet(DaemonSet ds) {
        DaemonSetStatus s = ds.getStatus() == null ? new DaemonSetStatus() : ds.getStatus();
        if (!generationSeen(ds, s.getObservedGeneration())) {
            return waiting("waiting for the controller to see the new template");
        }
        int want = n(s.getDesiredNumberScheduled());
        if (n(s.getUpdatedNumberScheduled()) < want) {
            return waiting(n(s.getUpdatedNumberScheduled()) + " of " + want + " pods updated");
        }
        if (n(s.getNumberAvailable()) < want) {
            return waiting(n(s.getNumberAvailable()) + " of " + want + " updated pods available");
        }
        return DONE;
    }

    /**
     * Why a restart cannot roll this workload (null when it can): a paused Deployment or an OnDelete update strategy
     * never replaces pods after a template change, so waiting for the rollout would only time out.
     */
    public static String notRestartable(HasMetadata workload) {
        if (workload instanceof Deployment d && Boolean.TRUE.equals(d.getSpec().getPaused())) {
            return "it is paused (kubectl rollout resume it first)";
        }
        String strategy = null;
        if (workload instanceof StatefulSet s && s.getSpec().getUpdateStrategy() != null) {
            strategy = s.getSpec().getUpdateStrategy().getType();
        }
        if (workload instanceof DaemonSet d && d.getSpec().getUpdateStrategy() != null) {
            strategy = d.getSpec().getUpdateStrategy().getType();
        }
        return "OnDelete".equals(strategy) ? "its updateStrategy is OnDelete (delete its pods to restart them)" : null;
    }
}

package io.meshform.providers.istio.injection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import org.junit.jupiter.api.Test;

class RolloutStatusTest {

    static Deployment deployment(long generation, long observed, int replicas, int updated, int total, int available) {
        return new DeploymentBuilder().withNewMetadata().withName("api").withGeneration(generation).endMetadata()
                .withNewSpec().withReplicas(replicas).endSpec()
                .withNewStatus().withObservedGeneration(observed).withUpdatedReplicas(updated).withReplicas(total)
                .withAvailableReplicas(available).endStatus().build();
    }

    @Test
    void deploymentFollowsKubectlRolloutStatus() {
        assertEquals("waiting for the controller to see the new template", RolloutStatus.of(deployment(3, 2, 2, 2, 2, 2)).message());
        assertEquals("1 of 2 new replicas updated", RolloutStatus.of(deployment(3, 3, 2, 1, 3, 2)).message());
        assertEquals("1 old replica(s) pending termination", RolloutStatus.of(deployment(3, 3, 2, 2, 3, 2)).message());
        assertEquals("1 of 2 updated replicas available", RolloutStatus.of(deployment(3, 3, 2, 2, 2, 1)).message());
        assertTrue(RolloutStatus.of(deployment(3, 3, 2, 2, 2, 2)).done());
    }

    @Test
    void statefulSetAndDaemonSet() {
        var sts = new StatefulSetBuilder().withNewMetadata().withName("mongo").withGeneration(2L).endMetadata()
                .withNewSpec().withReplicas(3).endSpec()
                .withNewStatus().withObservedGeneration(2L).withReadyReplicas(3).withUpdatedReplicas(3)
                .withCurrentRevision("mongo-1").withUpdateRevision("mongo-2").endStatus().build();
        assertEquals("waiting for revision mongo-2 to become current", RolloutStatus.of(sts).message());
        sts.getStatus().setCurrentRevision("mongo-2");
        assertTrue(RolloutStatus.of(sts).done());

        var ds = new DaemonSetBuilder().withNewMetadata().withName("agent").withGeneration(4L).endMetadata()
                .withNewSpec().withNewUpdateStrategy().withType("OnDelete").endUpdateStrategy().endSpec()
                .withNewStatus().withObservedGeneration(4L).withDesiredNumberScheduled(2).withUpdatedNumberScheduled(2)
                .withNumberAvailable(1).endStatus().build();
        assertEquals("1 of 2 updated pods available", RolloutStatus.of(ds).message());
        assertTrue(RolloutStatus.notRestartable(ds).contains("OnDelete"));
        assertNull(RolloutStatus.notRestartable(deployment(1, 1, 1, 1, 1, 1)));
    }
}

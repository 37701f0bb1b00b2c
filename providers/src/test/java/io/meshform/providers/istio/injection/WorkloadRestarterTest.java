package io.meshform.providers.istio.injection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.meshform.engine.diag.DiagnosticsException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@EnableKubernetesMockClient(crud = true)
@Timeout(30)
class WorkloadRestarterTest {
    KubernetesClient client;

    private Deployment create(String name, int available) {
        Deployment d = new DeploymentBuilder().withNewMetadata().withName(name).withNamespace("cortex").endMetadata()
                .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("app").endContainer().endSpec().endTemplate().endSpec()
                .withNewStatus().withObservedGeneration(100L).withUpdatedReplicas(1).withReplicas(1).withAvailableReplicas(available)
                .endStatus().build();
        return client.apps().deployments().inNamespace("cortex").resource(d).create();
    }

    private String restartedAt(String name) {
        return client.apps().deployments().inNamespace("cortex").withName(name).get().getSpec().getTemplate().getMetadata()
                .getAnnotations().get(WorkloadRestarter.RESTARTED_AT);
    }

    @Test
    void restartsOneAtATimeLikeKubectlRolloutRestart() {
        create("api", 1);
        create("web", 1);
        Clock clock = Clock.offset(Clock.fixed(Instant.parse("2026-09-30T10:15:30.123Z"), ZoneOffset.UTC), Duration.ZERO);
        List<String> progress = new ArrayList<>();
        new WorkloadRestarter(client, Duration.ofSeconds(5), Duration.ofMillis(10), clock).restartAll("kubernetes.labels.x",
                List.of(new Workload("Deployment", "cortex", "api"), new Workload("Deployment", "cortex", "web"),
                        new Workload("Deployment", "cortex", "gone")), progress::add);
        assertEquals("2026-09-30T10:15:30Z", restartedAt("api"));
        assertEquals("2026-09-30T10:15:30Z", restartedAt("web"));
        assertEquals(List.of("restarting Deployment cortex/api (1 of 3)", "Deployment cortex/api: rollout complete",
                "restarting Deployment cortex/web (2 of 3)", "Deployment cortex/web: rollout complete",
                "restarting Deployment cortex/gone (3 of 3)", "Deployment cortex/gone is gone; nothing to restart"), progress);
    }

    @Test
    void aRolloutThatNeverFinishesFailsAtTheTimeoutNamingWhatIsLeft() {
        create("api", 0);
        create("web", 1);
        List<String> progress = new ArrayList<>();
        var restarter = new WorkloadRestarter(client, Duration.ofMillis(200), Duration.ofMillis(20), Clock.systemUTC());
        var e = assertThrows(DiagnosticsException.class, () -> restarter.restartAll("kubernetes.labels.x",
                List.of(new Workload("Deployment", "cortex", "api"), new Workload("Deployment", "cortex", "web")), progress::add));
        assertTrue(e.getMessage().contains("the rollout of Deployment cortex/api did not finish within 0s (0 of 1 updated replicas available)"),
                e.getMessage());
        assertTrue(progress.contains("restarted so far: none; not restarted: Deployment cortex/web"), progress.toString());
        var web = client.apps().deployments().inNamespace("cortex").withName("web").get().getSpec().getTemplate().getMetadata();
        assertTrue(web.getAnnotations() == null || !web.getAnnotations().containsKey(WorkloadRestarter.RESTARTED_AT),
                "the next workload is left alone");
    }
    /** A run that lost its lock during one rollout's wait (paused past its lease) restarts nothing more. */
    @Test
    void aRunThatLostItsLockRestartsNothingMore() {
        create("api", 1);
        create("web", 1);
        List<String> progress = new ArrayList<>();
        io.meshform.engine.spi.ProgressSink losesTheLock = new io.meshform.engine.spi.ProgressSink() {
            @Override
            public void note(String message) {
                progress.add(message);
            }

            @Override
            public boolean mayContinue() {
                return progress.stream().noneMatch(m -> m.endsWith("rollout complete"));
            }
        };
        var e = assertThrows(DiagnosticsException.class, () -> new WorkloadRestarter(client, Duration.ofSeconds(5),
                Duration.ofMillis(10), Clock.systemUTC()).restartAll("kubernetes.labels.x",
                List.of(new Workload("Deployment", "cortex", "api"), new Workload("Deployment", "cortex", "web")), losesTheLock));
        assertTrue(e.getMessage().contains("stopped before restarting Deployment cortex/web: this run lost its state"
                + " lock, or cannot confirm it still holds it"), e.getMessage());
        assertTrue(progress.contains("restarted so far: Deployment cortex/api; not restarted: Deployment cortex/web"),
                progress.toString());
        var web = client.apps().deployments().inNamespace("cortex").withName("web").get().getSpec().getTemplate().getMetadata();
        assertTrue(web.getAnnotations() == null || !web.getAnnotations().containsKey(WorkloadRestarter.RESTARTED_AT),
                "web is not restarted");
    }
}

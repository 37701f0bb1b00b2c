package io.meshform.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Proves the fixture: a live API server, server-side apply, kwok-run pods, per-test namespaces. */
@LiveClusterTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveClusterIT {
  private static String firstTestNamespace;

  @Test
  @Order(1)
  void appliedDeploymentBecomesAvailable(ClusterContext cluster, KubernetesClient sharedClient) throws Exception {
    assertSame(sharedClient, cluster.client());
    assertTrue(Files.isRegularFile(cluster.kubeconfigPath()), "kubeconfig file " + cluster.kubeconfigPath());

    String ns = cluster.newNamespace();
    firstTestNamespace = ns;
    assertTrue(ns.startsWith(ClusterContext.NAMESPACE_PREFIX), ns);
    assertEquals(List.of(ns), cluster.namespaces());

    Deployment desired = new DeploymentBuilder()
        .withNewMetadata().withName("web").withNamespace(ns).withLabels(Map.of("app", "web")).endMetadata()
        .withNewSpec()
          .withReplicas(2)
          .withNewSelector().addToMatchLabels("app", "web").endSelector()
          .withNewTemplate()
            .withNewMetadata().addToLabels("app", "web").endMetadata()
            .withNewSpec()
              .addNewContainer().withName("web").withImage("registry.k8s.io/pause:3.10").endContainer()
            .endSpec()
          .endTemplate()
        .endSpec()
        .build();
    KubernetesClient client = cluster.client();
    Deployment applied = client.resource(desired).fieldManager("meshform-test").forceConflicts().serverSideApply();
    assertTrue(applied.getMetadata().getManagedFields().stream().anyMatch(f -> "meshform-test".equals(f.getManager())),
        "managedFields name the field manager");

    long t0 = System.nanoTime();
    Deployment ready = client.apps().deployments().inNamespace(ns).withName("web").waitUntilCondition(
        d -> d != null && d.getStatus() != null && d.getStatus().getConditions() != null
            && d.getStatus().getConditions().stream()
                .anyMatch(c -> "Available".equals(c.getType()) && "True".equals(c.getStatus()))
            && Integer.valueOf(2).equals(d.getStatus().getReadyReplicas()),
        90, TimeUnit.SECONDS);
    System.err.println("[LiveClusterIT] Deployment Available in "
        + Duration.ofNanos(System.nanoTime() - t0).toMillis() + " ms on " + cluster.source());
    assertEquals(2, ready.getStatus().getAvailableReplicas());

    List<Pod> pods = client.pods().inNamespace(ns).withLabel("app", "web").list().getItems();
    assertEquals(2, pods.size());
    for (Pod pod : pods) {
      assertEquals("Running", pod.getStatus().getPhase(), pod.getMetadata().getName());
      assertNotNull(pod.getSpec().getNodeName(), "scheduled");
    }

    // Applying the same object again is a no-op for the field manager: no new generation.
    Deployment again = client.resource(desired).fieldManager("meshform-test").forceConflicts().serverSideApply();
    assertEquals(applied.getMetadata().getGeneration(), again.getMetadata().getGeneration());
  }

  @Test
  @Order(2)
  void namespacesArePerTest(ClusterContext cluster) {
    assertNotNull(firstTestNamespace, "test 1 ran first");
    assertTrue(cluster.namespaces().isEmpty(), "a new context per test");
    String a = cluster.newNamespace();
    String b = cluster.newNamespace();
    assertNotEquals(a, b);
    assertNotEquals(firstTestNamespace, a);
    assertEquals(List.of(a, b), cluster.namespaces());

    // The previous test's namespace was deleted after it: gone, or terminating.
    Namespace previous = cluster.client().namespaces().withName(firstTestNamespace).get();
    assertTrue(previous == null || previous.getMetadata().getDeletionTimestamp() != null,
        "namespace of the previous test is deleted: " + firstTestNamespace);
    assertEquals("true", cluster.client().namespaces().withName(a).get().getMetadata().getLabels()
        .get(ClusterContext.NAMESPACE_LABEL));
  }
}

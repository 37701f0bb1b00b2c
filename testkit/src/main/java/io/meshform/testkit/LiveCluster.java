package io.meshform.testkit;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit Jupiter extension that gives tests a live Kubernetes cluster; use it through {@link LiveClusterTest}.
 *
 * <p>Parameters it resolves: {@link ClusterContext} (per test: client, kubeconfig path, istioctl, namespaces that
 * are deleted after the test) and {@link KubernetesClient} (the shared client).
 *
 * <p>The cluster, one per test JVM, is chosen like this:
 * <ul>
 *   <li>{@code MESHFORM_TEST_KUBECONFIG=<file>} set: that cluster (unless {@code -Dmeshform.cluster=k3s});
 *   <li>{@code -Dmeshform.cluster=local} (default): the repository's local control plane. A running one (as CI
 *       starts with {@code bin/dev-cluster up} before Maven) is reused and left running; otherwise the extension
 *       runs {@code bin/dev-cluster up} and runs {@code bin/dev-cluster down} at the end of the test run, unless
 *       {@code MESHFORM_KEEP_CLUSTER} is set;
 *   <li>{@code -Dmeshform.cluster=k3s}: a K3s container (needs Docker; {@code -Dmeshform.k3s.image} overrides
 *       the image);
 *   <li>{@code -Dmeshform.cluster=kubeconfig}: requires {@code MESHFORM_TEST_KUBECONFIG}.
 * </ul>
 * If no cluster can be had, every test of the class fails with the reason; tests are never skipped, so a build
 * without a cluster cannot pass. The reason is remembered, so later classes fail at once.
 */
public final class LiveCluster implements BeforeAllCallback, ParameterResolver, AfterEachCallback, AfterAllCallback {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LiveCluster.class);

  /** The per-JVM cluster, or why there is none; closed (cluster released) when the test run ends. */
  private static final class Holder implements AutoCloseable {
    final SharedCluster cluster;
    final RuntimeException failure;

    Holder() {
      SharedCluster c = null;
      RuntimeException f = null;
      try {
        c = SharedCluster.open();
        System.err.println("[testkit] live cluster: " + c.source + ", kubeconfig " + c.kubeconfig);
      } catch (RuntimeException e) {
        f = e;
      }
      cluster = c;
      failure = f;
    }

    SharedCluster get() {
      if (failure != null) {
        throw new ExtensionConfigurationException("No live Kubernetes cluster for the integration tests: "
            + failure.getMessage(), failure);
      }
      return cluster;
    }

    @Override
    public void close() throws Exception {
      if (cluster != null) {
        cluster.close();
      }
    }
  }

  private static SharedCluster cluster(ExtensionContext context) {
    return context.getRoot().getStore(NS).computeIfAbsent(Holder.class, k -> new Holder(), Holder.class).get();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    cluster(context); // fail the whole class at once when there is no cluster
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    Class<?> type = parameterContext.getParameter().getType();
    return type == ClusterContext.class || type == KubernetesClient.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    Class<?> type = parameterContext.getParameter().getType();
    SharedCluster c;
    try {
      c = cluster(extensionContext);
    } catch (ExtensionConfigurationException e) {
      throw new ParameterResolutionException(e.getMessage(), e);
    }
    if (type == KubernetesClient.class) {
      return c.client;
    }
    return extensionContext.getStore(NS).computeIfAbsent(key(extensionContext),
        k -> new ClusterContext(c, describe(extensionContext)), ClusterContext.class);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    cleanUp(context);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    cleanUp(context);
  }

  private static void cleanUp(ExtensionContext context) {
    ClusterContext ctx = context.getStore(NS).remove(key(context), ClusterContext.class);
    if (ctx != null) {
      ctx.cleanUp(context.getExecutionException().isPresent());
    }
  }

  /** Store lookups fall back to parent contexts, so the key names the exact context (method or class). */
  private static String key(ExtensionContext context) {
    return "cluster-context:" + context.getUniqueId();
  }

  private static String describe(ExtensionContext context) {
    String cls = context.getTestClass().map(Class::getName).orElse("?");
    return context.getTestMethod().map(m -> cls + "#" + m.getName()).orElse(cls);
  }
}

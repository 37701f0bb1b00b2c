package io.meshform.testkit;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * What a live-cluster test gets: a client, the kubeconfig file (for CLI tests' {@code --kubeconfig}), istioctl,
 * and namespaces of its own. One instance per test method (or per class for {@code @BeforeAll} methods); the
 * namespaces it creates are deleted after that test (or class).
 *
 * <p>The client is shared by all tests of the JVM: do not close it.
 */
public final class ClusterContext {
  /** Prefix of every namespace {@link #newNamespace()} creates. */
  public static final String NAMESPACE_PREFIX = "mf-it-";
  /** Label put on those namespaces, so leftovers can be found: {@code kubectl delete ns -l meshform.io/testkit=true}. */
  public static final String NAMESPACE_LABEL = "meshform.io/testkit";

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private final SharedCluster cluster;
  private final String owner;
  private final List<String> namespaces = new ArrayList<>();

  ClusterContext(SharedCluster cluster, String owner) {
    this.cluster = cluster;
    this.owner = owner;
  }

  /** The client for the live cluster (shared; do not close). */
  public KubernetesClient client() {
    return cluster.client;
  }

  /** An absolute path to a kubeconfig file for the same cluster (current-context points at it). */
  public Path kubeconfigPath() {
    return cluster.kubeconfig;
  }

  /** Where the cluster came from, for messages (e.g. "the local dev cluster (bin/dev-cluster, already running)"). */
  public String source() {
    return cluster.source;
  }

  /**
   * The istioctl binary: {@code MESHFORM_ISTIOCTL}, or the one testbed/build.sh built for testbed/versions.env. On
   * the local dev cluster it also makes sure the test bed's istiod runs (tests that use istioctl install Istio,
   * whose webhooks and readiness need it), and fails at once with instructions when it cannot.
   */
  public Path istioctl() {
    Path istioctl = Testbed.istioctl();
    cluster.ensureIstiod();
    return istioctl;
  }

  /**
   * Waits until the test bed's istiod serves a revision ({@code default} for the default one): it reported ready,
   * and every webhook configuration of the revision (label {@code istio.io/rev}, including revision tags that
   * istioctl creates after istiod is Ready) carries a caBundle. istioctl install waits for istiod's readiness (kwok
   * marks istiod pods Ready only once the revision serves); this also covers the tag webhooks and Istio installed
   * before the control plane started.
   */
  public void awaitIstiod(String revision, java.time.Duration timeout) {
    cluster.ensureIstiod();
    Path ready = Testbed.devClusterKubeconfig().resolveSibling("istiod").resolve(revision + ".ready");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!java.nio.file.Files.exists(ready) || !webhooksPatched(revision)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the test bed's istiod does not serve revision " + revision + " after " + timeout
            + " (ready file " + ready + (java.nio.file.Files.exists(ready) ? " present, but a webhook has no caBundle" : " missing")
            + "); see bin/dev-cluster istiod status and the cluster's logs/istiod-" + revision + ".log");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  private boolean webhooksPatched(String revision) {
    var adm = client().admissionRegistration().v1();
    boolean mutating = adm.mutatingWebhookConfigurations().withLabel("istio.io/rev", revision).list().getItems().stream()
        .flatMap(c -> c.getWebhooks().stream())
        .filter(w -> w.getName().endsWith("sidecar-injector.istio.io"))
        .allMatch(w -> w.getClientConfig().getCaBundle() != null && !w.getClientConfig().getCaBundle().isEmpty());
    boolean validating = adm.validatingWebhookConfigurations().withLabel("istio.io/rev", revision).list().getItems().stream()
        .flatMap(c -> c.getWebhooks().stream())
        .allMatch(w -> w.getClientConfig().getCaBundle() != null && !w.getClientConfig().getCaBundle().isEmpty());
    return mutating && validating;
  }

  /**
   * The proxy-config probe of the test bed's istiod (testbed/README.md, "proxy-config"): what istiod configures
   * for a pod's proxy. Only on the local dev cluster, where that istiod runs.
   */
  public ProxyConfigProbe proxyConfig() {
    if (!cluster.isLocalDevCluster()) {
      throw new IllegalStateException("the proxy-config probe asks the test bed's istiod (bin/dev-cluster), which "
          + cluster.source + " does not run");
    }
    cluster.ensureIstiod();
    return new ProxyConfigProbe(Testbed.repoRoot());
  }

  /**
   * Creates a namespace named {@code mf-it-<8 random chars>} for this test, waits for its default ServiceAccount
   * (so pods can be created at once) and returns its name. It is deleted after the test, unless the test failed and
   * {@code MESHFORM_KEEP_NAMESPACES_ON_FAILURE} is set.
   */
  public synchronized String newNamespace() {
    String name = null;
    for (int attempt = 0; name == null; attempt++) {
      String candidate = NAMESPACE_PREFIX + randomSuffix(8);
      Namespace ns = new NamespaceBuilder()
          .withNewMetadata()
          .withName(candidate)
          .addToLabels(NAMESPACE_LABEL, "true")
          .addToAnnotations("meshform.io/test", owner)
          .endMetadata()
          .build();
      try {
        client().namespaces().resource(ns).create();
        name = candidate;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= 3) {
          throw e;
        }
      }
    }
    namespaces.add(name);
    try {
      client().serviceAccounts().inNamespace(name).withName("default")
          .waitUntilCondition(Objects::nonNull, 30, TimeUnit.SECONDS);
    } catch (KubernetesClientException e) {
      System.err.println("[testkit] warning: no default ServiceAccount in " + name + " after 30s (" + e.getMessage()
          + "); is kube-controller-manager running?");
    }
    return name;
  }

  /**
   * {@link #newNamespace()} labelled {@code istio-injection=enabled}: istiod's injector (the test bed's, or one the
   * test installs) gives its pods a sidecar, which the mesh's policies need before they act on a pod.
   */
  public String newInjectedNamespace() {
    String name = newNamespace();
    client().namespaces().withName(name).edit(n -> {
      n.getMetadata().getLabels().put("istio-injection", "enabled");
      return n;
    });
    return name;
  }

  /**
   * Creates a pod of the pause image (container {@code app}, the given labels and container ports) in {@code ns} and
   * returns it once it runs with an IP (kwok starts it; in an injected namespace the injector has already added the
   * sidecar). It goes with its namespace; a test that must see it gone sooner deletes it itself.
   */
  public Pod newPausePod(String ns, String name, Map<String, String> labels, int... ports) {
    var container = new PodBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("registry.k8s.io/pause:3.10");
    for (int port : ports) {
      container = container.addNewPort().withContainerPort(port).endPort();
    }
    client().pods().inNamespace(ns).resource(container.endContainer().endSpec().build()).create();
    return client().pods().inNamespace(ns).withName(name).waitUntilCondition(
        p -> p != null && p.getStatus() != null && p.getStatus().getPodIP() != null
            && "Running".equals(p.getStatus().getPhase()), 60, TimeUnit.SECONDS);
  }

  /** The namespaces this context created, in order. */
  public synchronized List<String> namespaces() {
    return List.copyOf(namespaces);
  }

  /** Deletes the namespaces (without waiting for them to be gone), or keeps and reports them. */
  synchronized void cleanUp(boolean failed) {
    if (namespaces.isEmpty()) {
      return;
    }
    String keep = System.getenv("MESHFORM_KEEP_NAMESPACES_ON_FAILURE");
    if (failed && keep != null && !keep.isBlank()) {
      System.err.println("[testkit] " + owner + " failed; keeping namespaces " + namespaces
          + " (MESHFORM_KEEP_NAMESPACES_ON_FAILURE) in " + source() + ", kubeconfig " + kubeconfigPath());
      namespaces.clear();
      return;
    }
    RuntimeException first = null;
    for (String ns : namespaces) {
      try {
        client().namespaces().withName(ns).delete();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    namespaces.clear();
    if (first != null) {
      throw first;
    }
  }

  private static String randomSuffix(int n) {
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
    }
    return sb.toString();
  }
}

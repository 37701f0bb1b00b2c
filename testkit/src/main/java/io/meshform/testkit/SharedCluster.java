package io.meshform.testkit;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/** One live cluster per test JVM: where it came from, its kubeconfig, a client, and how to release it. */
final class SharedCluster implements AutoCloseable {
  static final String MODE_PROPERTY = "meshform.cluster";
  static final String DEFAULT_K3S_IMAGE = "rancher/k3s:v1.31.4-k3s1";

  final String source;
  final Path kubeconfig;
  final KubernetesClient client;
  private final AutoCloseable release;
  private boolean istiodChecked;

  private SharedCluster(String source, Path kubeconfig, AutoCloseable release) {
    this.source = source;
    this.kubeconfig = kubeconfig;
    this.release = release;
    KubernetesClient c = null;
    try {
      Config config = Config.fromKubeconfig(kubeconfig.toFile());
      c = new KubernetesClientBuilder().withConfig(config).build();
      // Fail here, with the source named, rather than in the first test's first request.
      String ready = c.raw("/readyz");
      if (ready == null || !ready.strip().equals("ok")) {
        throw new IllegalStateException("/readyz answered " + ready);
      }
    } catch (RuntimeException e) {
      if (c != null) {
        c.close();
      }
      closeQuietly(release);
      throw new IllegalStateException("the live cluster from " + source + " (kubeconfig " + kubeconfig
          + ") does not answer: " + e.getMessage(), e);
    }
    this.client = c;
  }

  /** Opens the cluster chosen by {@code -Dmeshform.cluster} and {@code MESHFORM_TEST_KUBECONFIG}; throws with a clear message. */
  static SharedCluster open() {
    String mode = System.getProperty(MODE_PROPERTY, "local").strip();
    if (mode.isEmpty()) {
      mode = "local";
    }
    String envKubeconfig = System.getenv("MESHFORM_TEST_KUBECONFIG");
    boolean haveEnv = envKubeconfig != null && !envKubeconfig.isBlank();
    switch (mode) {
      case "k3s":
        return k3s();
      case "kubeconfig":
        if (!haveEnv) {
          throw new IllegalStateException("-D" + MODE_PROPERTY + "=kubeconfig needs the environment variable "
              + "MESHFORM_TEST_KUBECONFIG=<kubeconfig file of a disposable cluster>");
        }
        return fromFile(Path.of(envKubeconfig), "MESHFORM_TEST_KUBECONFIG=" + envKubeconfig);
      case "local":
        return haveEnv ? fromFile(Path.of(envKubeconfig), "MESHFORM_TEST_KUBECONFIG=" + envKubeconfig) : local();
      default:
        throw new IllegalStateException("unknown -D" + MODE_PROPERTY + "=" + mode + "; use local (default), k3s or kubeconfig");
    }
  }

  private static SharedCluster fromFile(Path file, String source) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException(source + ": no such file");
    }
    return new SharedCluster(source, file.toAbsolutePath(), () -> {});
  }

  /** The repository's local control plane: reused if it runs, else started with bin/dev-cluster up. */
  private static SharedCluster local() {
    Path root = Testbed.repoRoot();
    Path script = root.resolve("bin/dev-cluster");
    boolean wasRunning = run(root, List.of(script.toString(), "status"), false).exit == 0;
    // istioctl is not needed to run the cluster; ClusterContext.istioctl() reports a missing one when a test asks.
    Result up = run(root, List.of(script.toString(), "up", "--no-istioctl"), true);
    if (up.exit != 0) {
      throw new IllegalStateException("'bin/dev-cluster up' failed (exit " + up.exit + "); its last output:\n"
          + up.tail + "\nFix that, or point the tests at a disposable cluster with MESHFORM_TEST_KUBECONFIG=<file>"
          + " or -D" + MODE_PROPERTY + "=k3s (needs Docker).");
    }
    Path kubeconfig = up.lines.stream()
        .filter(l -> l.startsWith("export MESHFORM_TEST_KUBECONFIG="))
        .map(l -> Path.of(l.substring("export MESHFORM_TEST_KUBECONFIG=".length()).strip()))
        .reduce((a, b) -> b)
        .orElseThrow(() -> new IllegalStateException("'bin/dev-cluster up' printed no MESHFORM_TEST_KUBECONFIG line:\n" + up.tail));
    AutoCloseable release = () -> {};
    String source = "the local dev cluster (bin/dev-cluster, already running)";
    if (!wasRunning) {
      source = "the local dev cluster (bin/dev-cluster, started by this test run)";
      String keep = System.getenv("MESHFORM_KEEP_CLUSTER");
      if (keep == null || keep.isBlank()) {
        release = () -> run(root, List.of(script.toString(), "down"), true);
      } else {
        source += "; kept running (MESHFORM_KEEP_CLUSTER)";
      }
    }
    return new SharedCluster(source, kubeconfig, release);
  }

  private static SharedCluster k3s() {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      throw new IllegalStateException("-D" + MODE_PROPERTY + "=k3s needs a running Docker engine and Testcontainers "
          + "found none. Start Docker, or use the local control plane (-D" + MODE_PROPERTY + "=local, bin/dev-cluster) "
          + "or MESHFORM_TEST_KUBECONFIG=<file>.");
    }
    String image = System.getProperty("meshform.k3s.image", DEFAULT_K3S_IMAGE);
    K3sContainer k3s = new K3sContainer(DockerImageName.parse(image));
    k3s.start();
    try {
      File file = File.createTempFile("meshform-k3s-", ".kubeconfig");
      file.deleteOnExit();
      Files.writeString(file.toPath(), k3s.getKubeConfigYaml());
      return new SharedCluster("K3s in Docker (" + image + ")", file.toPath(), () -> {
        k3s.stop();
        Files.deleteIfExists(file.toPath());
      });
    } catch (IOException | RuntimeException e) {
      k3s.stop();
      throw new IllegalStateException("K3s (" + image + ") started but its kubeconfig could not be written: " + e, e);
    }
  }

  record Result(int exit, List<String> lines, String tail) {}

  /**
   * Whether this is the repository's local dev cluster (bin/dev-cluster with the current MESHFORM_CLUSTER_DIR),
   * the only one where the test bed's istiod (meshform-istiod) can run.
   */
  boolean isLocalDevCluster() {
    Path dev = Testbed.devClusterKubeconfig();
    try {
      return Files.exists(dev) && Files.isSameFile(dev, kubeconfig);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Makes sure the test bed's istiod runs beside the local dev cluster ({@code bin/dev-cluster istiod up
   * --no-build}: starts a cached build, never builds). Without it, Istio's webhooks do not answer and istiod pods
   * never get Ready, so an Istio install would wait minutes before failing; this fails at once instead.
   */
  synchronized void ensureIstiod() {
    if (istiodChecked || !isLocalDevCluster()) {
      return;
    }
    Path root = Testbed.repoRoot();
    Result r = run(root, List.of(root.resolve("bin/dev-cluster").toString(), "istiod", "up", "--no-build"), false);
    if (r.exit != 0) {
      throw new IllegalStateException("the test bed's istiod (meshform-istiod) is not running beside " + source
          + " and could not be started:\n" + r.tail + "\nBuild it with 'testbed/build.sh istiod' (bin/test and .ci/run do).");
    }
    istiodChecked = true;
  }

  /** Runs a command in dir, optionally echoing its output to stderr; keeps all lines and a 40-line tail. */
  static Result run(Path dir, List<String> command, boolean echo) {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      List<String> lines = new java.util.ArrayList<>();
      Deque<String> tail = new ArrayDeque<>();
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          if (echo) {
            System.err.println(line);
          }
          lines.add(line);
          tail.addLast(line);
          if (tail.size() > 40) {
            tail.removeFirst();
          }
        }
      }
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        return new Result(-1, lines, String.join("\n", tail));
      }
      return new Result(p.exitValue(), lines, String.join("\n", tail));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // best effort on an error path
    }
  }

  @Override
  public void close() throws Exception {
    try {
      client.close();
    } finally {
      release.close();
    }
  }
}

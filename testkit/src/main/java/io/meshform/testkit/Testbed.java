package io.meshform.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Where the repository's test bed lives: {@code bin/dev-cluster}, {@code testbed/versions.env} and the build cache. */
public final class Testbed {
  private Testbed() {}

  /**
   * The repository root: the first directory, walking up from the working directory, that contains
   * {@code bin/dev-cluster}. Maven runs tests in the module directory, so this finds the parent.
   */
  public static Optional<Path> findRepoRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("bin/dev-cluster"))) {
        return Optional.of(dir);
      }
    }
    return Optional.empty();
  }

  static Path repoRoot() {
    return findRepoRoot()
        .orElseThrow(() -> new IllegalStateException("no bin/dev-cluster found in "
            + Path.of("").toAbsolutePath() + " or any parent directory; run the tests inside the meshform repository"));
  }

  /** {@code MESHFORM_CACHE}, or {@code ~/.cache/meshform}, as testbed/build.sh uses it. */
  public static Path cacheDir() {
    String env = System.getenv("MESHFORM_CACHE");
    return env != null && !env.isBlank()
        ? Path.of(env)
        : Path.of(System.getProperty("user.home"), ".cache", "meshform");
  }

  /**
   * The kubeconfig {@code bin/dev-cluster up} writes: {@code $MESHFORM_CLUSTER_DIR/kubeconfig}, else
   * {@code <cache>/cluster/kubeconfig}.
   */
  public static Path devClusterKubeconfig() {
    String dir = System.getenv("MESHFORM_CLUSTER_DIR");
    Path state = dir != null && !dir.isBlank() ? Path.of(dir) : cacheDir().resolve("cluster");
    return state.resolve("kubeconfig");
  }

  /** The KEY=VALUE lines of testbed/versions.env. */
  public static Map<String, String> versions() {
    Path file = repoRoot().resolve("testbed/versions.env");
    Map<String, String> out = new LinkedHashMap<>();
    try {
      for (String line : Files.readAllLines(file)) {
        String l = line.strip();
        int eq = l.indexOf('=');
        if (l.isEmpty() || l.startsWith("#") || eq < 1) {
          continue;
        }
        out.put(l.substring(0, eq), l.substring(eq + 1).replaceAll("^[\"']|[\"']$", ""));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return out;
  }

  /**
   * The istioctl binary for tests: {@code MESHFORM_ISTIOCTL} if set, else the one testbed/build.sh caches at
   * {@code <cache>/bin/istioctl-<ISTIO_VERSION>/istioctl}. Fails with instructions when it does not exist.
   */
  public static Path istioctl() {
    String env = System.getenv("MESHFORM_ISTIOCTL");
    Path path;
    String origin;
    if (env != null && !env.isBlank()) {
      path = Path.of(env);
      origin = "MESHFORM_ISTIOCTL";
    } else {
      String version = versions().get("ISTIO_VERSION");
      if (version == null) {
        throw new IllegalStateException("testbed/versions.env has no ISTIO_VERSION");
      }
      path = cacheDir().resolve("bin").resolve("istioctl-" + version).resolve("istioctl");
      origin = "testbed/versions.env (ISTIO_VERSION=" + version + ")";
    }
    if (!Files.isExecutable(path)) {
      throw new IllegalStateException("istioctl not found at " + path + " (from " + origin
          + "); build it with 'testbed/build.sh istioctl' (or 'bin/dev-cluster up'), or set MESHFORM_ISTIOCTL");
    }
    return path;
  }

  /**
   * The newer istioctl the upgrade test installs over {@link #istioctl()}: {@code MESHFORM_ISTIOCTL_NEXT}, else
   * {@code <cache>/bin/istioctl-<ISTIO_NEXT_VERSION>/istioctl}.
   */
  public static Path istioctlNext() {
    return cached("MESHFORM_ISTIOCTL_NEXT", "ISTIO_NEXT_VERSION", "istioctl", "istioctl", "istioctl-next");
  }

  /**
   * Istio's sample addon manifests (kiali.yaml, prometheus.yaml, grafana.yaml, jaeger.yaml):
   * {@code MESHFORM_ISTIO_ADDONS}, else {@code <cache>/bin/istio-addons-<ISTIO_VERSION>/}.
   */
  public static Path istioAddons() {
    return cached("MESHFORM_ISTIO_ADDONS", "ISTIO_VERSION", "istio-addons", "kiali.yaml", "istio-addons").resolve("..").normalize();
  }

  /**
   * The Gateway API CRDs Istio is built against (the standard channel's {@code gateway.networking.k8s.io_*.yaml}):
   * {@code MESHFORM_GATEWAY_API_CRDS}, else {@code <cache>/bin/gateway-api-crds-<GATEWAY_API_VERSION>/}.
   */
  public static Path gatewayApiCrds() {
    return cached("MESHFORM_GATEWAY_API_CRDS", "GATEWAY_API_VERSION", "gateway-api-crds",
        "gateway.networking.k8s.io_gateways.yaml", "gateway-api-crds").getParent();
  }

  private static Path cached(String envVar, String versionKey, String component, String file, String buildName) {
    String env = System.getenv(envVar);
    Path path;
    if (env != null && !env.isBlank()) {
      path = Path.of(env);
      path = Files.isDirectory(path) ? path.resolve(file) : path;
    } else {
      String version = versions().get(versionKey);
      if (version == null) {
        throw new IllegalStateException("testbed/versions.env has no " + versionKey);
      }
      path = cacheDir().resolve("bin").resolve(component + "-" + version).resolve(file);
    }
    if (!Files.exists(path)) {
      throw new IllegalStateException(path + " not found; build it with 'testbed/build.sh " + buildName + "', or set " + envVar);
    }
    return path;
  }
}

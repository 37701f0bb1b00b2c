package io.meshform.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code bin/dev-cluster proxy-config}: the test bed's probe that connects to its istiod over xDS as the proxy
 * of a pod and prints what istiod configures for it, as JSON (documented in testbed/README.md, "proxy-config").
 * It is the oracle for how Istio itself resolves PeerAuthentication, DestinationRule and AuthorizationPolicy for
 * that pod. The JSON is returned as text so each module parses it with its own JSON library.
 */
public final class ProxyConfigProbe {
  private final Path root;

  ProxyConfigProbe(Path root) {
    this.root = root;
  }

  /**
   * Probes pods ({@code namespace/name}) and, for each, the destinations ({@code host[:port]}, e.g.
   * {@code mongo.db:27017}); returns the JSON document. Fails with the probe's message when it cannot answer.
   */
  public String probe(Collection<String> pods, Collection<String> destinations) {
    List<String> args = new ArrayList<>();
    for (String p : pods) {
      args.add("--pod");
      args.add(p);
    }
    for (String d : destinations) {
      args.add("--destination");
      args.add(d);
    }
    return run(args);
  }

  /** Runs the probe with raw arguments (see {@code proxy-config -h}); returns stdout. */
  public String run(List<String> args) {
    List<String> command = new ArrayList<>(List.of(root.resolve("bin/dev-cluster").toString(), "proxy-config"));
    command.addAll(args);
    try {
      Process p = new ProcessBuilder(command).directory(root.toFile()).start();
      p.getOutputStream().close();
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
      String out = read(p.getInputStream());
      if (!p.waitFor(2, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException("proxy-config did not finish within 2 minutes: " + command);
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("proxy-config failed (exit " + p.exitValue() + "): " + err.join().strip()
            + "\n" + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    }
  }

  private static String read(java.io.InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
